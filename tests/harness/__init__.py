"""Real peers for the integration tests, each on 127.0.0.1, and helpers to drive them.

- :mod:`tests.harness.moto`: moto in server mode as AWS.
- :mod:`tests.harness.oidc_provider`: panva's oidc-provider, one process per profile
  (``default``, ``keycloak``, ``okta``: how strictly it imitates those IdPs).
- :mod:`tests.harness.sandbox_authserver`: the sandbox's own authorization server.
- :mod:`tests.harness.idp_peers`: the shape all RFC 7591/7592 peers share, and the
  names the ``idp_peer`` fixture runs a test against (every profile plus the sandbox).
- :mod:`tests.harness.idp_checks`: an initial access token source and the check that
  no IdP error shows a credential.
- :mod:`tests.harness.chat`: a receiver recording what alerts posted.

``tests/conftest.py`` turns them into fixtures: session-scoped servers started on first
use, reset for every test that asks for them.
"""
