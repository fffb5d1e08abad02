"""End-to-end convergence: the CLI and the engine against moto and oidc-provider."""
