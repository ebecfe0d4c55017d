"""The project's own tests: contract, client, server, and tests of the suite itself."""
