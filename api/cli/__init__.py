"""The ``papi`` command line: ``api.cli.main`` assembles one module per command group
(``register(app)``). Commands call the library (``survey``, ``scoring``) and the services
of ``api``; never a repository (tests/test_architecture.py)."""
