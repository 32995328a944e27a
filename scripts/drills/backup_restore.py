"""Drill: back up with scripts/backup.sh, restore with scripts/restore.sh, and use the copy.

The penvoerder of Aalten saves answers and attaches a piece of evidence. scripts/backup.sh
dumps the database (pg_dump -Fc) and archives MEDIA_ROOT; scripts/restore.sh restores both into
a new database and an empty media directory. Every table must have the same number of rows,
the answers the same content, the evidence the same bytes; `manage.py migrate --check` and
`check` must pass against the copy, and a gunicorn on the copy must serve the penvoerder their
scan, their evidence, and save a new answer. Restoring over a database that has tables must be
refused.
"""

import hashlib
import sys
import time

from drillkit import ROOT, Browser, Drill, ScanSession

CODE, YEAR = "gm0197", 2026
RESTORED = "cimolt_restored"
EVIDENCE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


EVIDENCE_DIGEST = hashlib.sha256(EVIDENCE).hexdigest()


def files(directory) -> dict[str, str]:
    """Every file below ``directory``: its path there and the SHA-256 of its bytes."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def table_counts(drill: Drill, database: str) -> dict[str, int]:
    """The number of rows of every table (counted exactly, with query_to_xml per table)."""
    rows = drill.pg.psql(
        "SELECT tablename, (xpath('/row/n/text()', query_to_xml("
        "format('SELECT count(*) AS n FROM public.%I', tablename), false, true, '')))[1]::text"
        " FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
        database,
    ).split()
    return {name: int(count) for name, count in (row.split("|") for row in rows)}


def answers_digest(drill: Drill, database: str) -> str:
    return drill.pg.psql(
        "SELECT md5(string_agg(id || ':' || coalesce(value::text, '') || ':' || version, ','"
        " ORDER BY id)) FROM monitor_answer",
        database,
    )


def main() -> None:
    with Drill("backup_restore", "A backup made, restored into a new database and used") as drill:
        pg = drill.postgres()
        drill.start_redis()
        base = drill.gunicorn()
        penvoerder = Browser(base)
        penvoerder.login(f"penvoerder.{CODE}@demo.test")
        scan = ScanSession(penvoerder, CODE, YEAR)
        first_section = scan.sections()[0]
        scan.fill(1, sections=[first_section])
        question = scan.blocks(first_section)[0].key
        upload = penvoerder.post(
            f"/scan/{CODE}/{YEAR}/answer/{question}/evidence/",
            {},
            files={"file": ("beleidsplan.pdf", EVIDENCE, "application/pdf")},
        )
        drill.check(
            "answers saved and evidence attached",
            upload.status_code == 302,
            f"HTTP {upload.status_code}",
        )

        backups = drill.tmp / "backups"
        env = drill.env()
        began = time.monotonic()
        result = drill.run([ROOT / "scripts" / "backup.sh", backups], env=env)
        backup_seconds = time.monotonic() - began
        dump = next(backups.glob("cimolt-cimolt-*.dump"))
        media = next(backups.glob("cimolt-media-*.tar.gz"))
        drill.check(
            "scripts/backup.sh wrote the dump and the media archive, with checksums",
            result.returncode == 0
            and all(p.with_name(p.name + ".sha256").exists() for p in (dump, media)),
            f"{dump.name} {dump.stat().st_size // 1024} KiB, {media.name}, {backup_seconds:.1f} s",
        )
        original = table_counts(drill, "cimolt")
        original_digest = answers_digest(drill, "cimolt")

        restored_media = drill.tmp / "media-restored"
        restore_env = drill.env(DATABASE_URL=pg.url(RESTORED), MEDIA_ROOT=str(restored_media))
        began = time.monotonic()
        drill.run([ROOT / "scripts" / "restore.sh", dump, media], env=restore_env)
        restore_seconds = time.monotonic() - began
        copy = table_counts(drill, RESTORED)
        different = {
            t: (original.get(t), copy.get(t))
            for t in original.keys() | copy.keys()
            if original.get(t) != copy.get(t)
        }
        main_tables = [
            "monitor_scan",
            "monitor_answer",
            "monitor_user",
            "monitor_scanchange",
            "monitor_evidence",
        ]
        drill.check(
            f"every table has the same rows after restoring ({len(original)} tables)",
            not different and len(copy) == len(original) > 0,
            ", ".join(f"{t.split('_', 1)[1]} {original.get(t)}/{copy.get(t)}" for t in main_tables)
            + (f"; different: {different}" if different else ""),
        )
        drill.check(
            "the answers are the same",
            answers_digest(drill, RESTORED) == original_digest,
            f"md5 {original_digest}",
        )
        files_before, files_after = files(drill.media_dir), files(restored_media)
        drill.check(
            "the media files are the same",
            files_after == files_before and EVIDENCE_DIGEST in files_after.values(),
            f"{len(files_before)} before, {len(files_after)} restored: {', '.join(files_after)}",
        )
        refused = drill.run(
            [ROOT / "scripts" / "restore.sh", dump], env=restore_env, check=False, quiet=True
        )
        drill.check(
            "restoring over a database with tables is refused",
            refused.returncode != 0 and "already has" in refused.stderr,
            refused.stderr.strip().splitlines()[-1]
            if refused.stderr.strip()
            else f"exit {refused.returncode}",
        )

        # The copy in use: Django's checks, then a web server on the copy.
        drill.manage("migrate", "--check", env=restore_env, quiet=True)
        drill.manage("check", "--database", "default", env=restore_env, quiet=True)
        drill.check("manage.py migrate --check and check pass on the copy", True)
        drill.extra_env = {"DATABASE_URL": pg.url(RESTORED), "MEDIA_ROOT": str(restored_media)}
        drill.web_port = None
        copy_base = drill.gunicorn()
        again = Browser(copy_base)
        again.login(f"penvoerder.{CODE}@demo.test")
        on_copy = ScanSession(again, CODE, YEAR)
        shown = {b.key: b for b in on_copy.blocks(first_section)}
        same = all(shown[key].version == str(version) for key, (_, version) in scan.saved.items())
        evidence_id = drill.pg.psql("SELECT max(id) FROM monitor_evidence", RESTORED)
        download = again.get(f"/scan/{CODE}/{YEAR}/evidence/{evidence_id}/")
        drill.check(
            "on the copy the penvoerder sees their answers and downloads their evidence",
            same and download.status_code == 200 and download.content == EVIDENCE,
            f"{len(scan.saved)} answers as saved: {same}; evidence HTTP {download.status_code}",
        )
        on_copy.fill(2, sections=[first_section])
        rows = drill.pg.psql("SELECT count(*) FROM monitor_scanchange", RESTORED)
        drill.check(
            "and saves new answers there (new rows get new ids)",
            on_copy.writes > 0 and int(rows) == copy["monitor_scanchange"] + on_copy.writes,
            f"{on_copy.writes} saved, scan changes {copy['monitor_scanchange']} -> {rows}",
        )
        # Replacing a damaged database in place: the service stopped, restore.sh --clean.
        drill.terminate(drill.web_process)
        drill.run([ROOT / "scripts" / "restore.sh", "--clean", dump], env=restore_env, quiet=True)
        replaced = table_counts(drill, RESTORED)
        drill.check(
            "restore.sh --clean puts the backup back over a changed database",
            replaced == original and answers_digest(drill, RESTORED) == original_digest,
            f"scan changes {rows} -> {replaced.get('monitor_scanchange')}",
        )
        drill.number(
            f"dump {dump.stat().st_size // 1024} KiB in {backup_seconds:.1f} s, "
            f"restored in {restore_seconds:.1f} s"
        )
        drill.number(f"tables {len(original)}, rows differing {len(different)}")
        drill.number(f"answers {original.get('monitor_answer')}/{copy.get('monitor_answer')}")
        drill.number(
            f"media files {len(files_before)}/{len(files_after)}, "
            f"{'the same' if files_after == files_before else 'DIFFERENT'}"
        )
    drill.exit()


if __name__ == "__main__":
    sys.exit(main())
