"""Colour on a terminal, never in a pipe, a file, or where NO_COLOR says no."""

from __future__ import annotations

import io

from controller.cli._style import COLOUR, PLAIN, colour_wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestWhenColourIsWanted:
    def test_a_terminal_gets_colour(self) -> None:
        assert colour_wanted(Terminal(), {"TERM": "xterm-256color"})

    def test_a_pipe_or_file_gets_none(self) -> None:
        assert not colour_wanted(io.StringIO(), {"TERM": "xterm-256color"})

    def test_no_color_set_to_anything_turns_it_off(self) -> None:
        assert not colour_wanted(Terminal(), {"NO_COLOR": "1"})

    def test_an_empty_no_color_does_not(self) -> None:
        assert colour_wanted(Terminal(), {"NO_COLOR": ""})

    def test_a_dumb_terminal_gets_none(self) -> None:
        assert not colour_wanted(Terminal(), {"TERM": "dumb"})


class TestPainting:
    def test_plain_returns_the_text_unchanged(self) -> None:
        assert PLAIN.good("PASS") == "PASS"
        assert PLAIN.bad("FAIL") == "FAIL"

    def test_colour_wraps_the_text_and_resets(self) -> None:
        assert COLOUR.good("PASS") == "\033[32mPASS\033[0m"
        assert COLOUR.bad("FAIL") == "\033[31mFAIL\033[0m"
        assert COLOUR.warn("SKIP") == "\033[33mSKIP\033[0m"

    def test_empty_text_stays_empty(self) -> None:
        assert COLOUR.bad("") == ""
