#!/usr/bin/env python
"""Django's command-line utility; the installed ``rehearse`` command does the same."""

from rehearse.__main__ import main

if __name__ == "__main__":
    main()
