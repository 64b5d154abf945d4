"""Compile every .po file of the project into .mo with polib (pure Python, no GNU gettext).

Used by `make demo` and `make test` so that a bare machine with only Python gets translations.
"""

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po (project and apps) to .mo without msgfmt."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        count = 0
        for po_path in sorted(base.glob("**/locale/*/LC_MESSAGES/*.po")):
            if ".venv" in po_path.parts:
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            # Write then rename: parallel test workers may compile at the same moment.
            tmp_path = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")
            polib.pofile(str(po_path)).save_as_mofile(str(tmp_path))
            os.replace(tmp_path, mo_path)
            count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
