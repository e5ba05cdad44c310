"""``python -m api`` runs the ``papi`` command line."""

from api.cli.main import main

if __name__ == "__main__":
    main()
