"""A researcher's session in Taguette, run with Taguette's own code: import a CSV codebook, edit, export REFI-QDA.

Run by ``tests/curate/test_qda_import.py`` with the Python of ``.venv-taguette`` (``make setup`` installs
Taguette there from ``requirements-taguette.lock``; it cannot live in the main venv: Taguette pins
``bleach==5.0.1``)::

    .venv-taguette/bin/python tests/taguette_roundtrip.py CODEBOOK.csv OUT.qdc \\
        [--delete TAG] [--rename OLD NEW] [--add TAG DESCRIPTION] [--document FILE] [--code TAG]

What it does, on an in-memory SQLite database, as Taguette's web handlers do: a user and a project are made;
the CSV is read by ``taguette.import_codebook.list_tags`` and each tag is checked by ``taguette.validate`` and
inserted (a repeated name is skipped, as Taguette's import form does); ``--delete`` deletes a tag (its
highlights lose it), ``--rename`` changes a tag's path, ``--add`` creates a tag with a description;
``--document`` adds a text document and ``--code`` codes its first line with a tag; the project's tags are
exported with ``taguette.export.codebook_xml`` (what *Export codebook › QDC* downloads). It prints one JSON
line: the tags as Taguette holds them (path, description, highlights) and the exported file.

Nothing here may reach the network: any connection to a host other than this machine raises before Taguette
is imported.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import socket
import sys
from pathlib import Path


def _refuse_network() -> None:
    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if (
            isinstance(address, tuple)
            and address
            and not (str(address[0]) in ("localhost", "::1", "") or str(address[0]).startswith("127."))
        ):
            raise RuntimeError(f"network access attempted in the Taguette round trip: {address!r}")
        return real(self, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codebook", type=Path, help="CSV codebook (tag,description) to import")
    parser.add_argument("out", type=Path, help="REFI-QDA codebook (.qdc) to write")
    parser.add_argument("--delete", action="append", default=[], metavar="TAG")
    parser.add_argument("--rename", action="append", nargs=2, default=[], metavar=("OLD", "NEW"))
    parser.add_argument("--add", action="append", nargs=2, default=[], metavar=("TAG", "DESCRIPTION"))
    parser.add_argument("--document", type=Path, help="a text document to add to the project")
    parser.add_argument("--code", metavar="TAG", help="code the document's first line with this tag")
    args = parser.parse_args(argv)

    _refuse_network()
    from taguette import database, export, validate
    from taguette.import_codebook import list_tags

    db = database.connect("sqlite://")()
    user = database.User(login="coder")
    project = database.Project(name="Topics to code", description="Curated topics from the topics toolkit")
    db.add_all([user, project])
    db.flush()
    db.add(database.ProjectMember(project=project, user=user, privileges=database.Privileges.ADMIN))

    seen: set[str] = set()
    for tag in list_tags(io.BytesIO(args.codebook.read_bytes())):
        validate.tag_path(tag["path"])
        validate.description(tag["description"])
        if tag["path"] in seen:
            continue
        seen.add(tag["path"])
        db.add(database.Tag(project=project, path=tag["path"], description=tag["description"]))
    db.flush()

    def tag_named(path: str) -> database.Tag:
        return db.query(database.Tag).filter_by(project=project, path=path).one()

    for path in args.delete:
        db.delete(tag_named(path))
    for old, new in args.rename:
        validate.tag_path(new)
        tag_named(old).path = new
    for path, description in args.add:
        validate.tag_path(path)
        validate.description(description)
        db.add(database.Tag(project=project, path=path, description=description))
    db.flush()

    if args.document:
        text = args.document.read_text(encoding="utf-8")
        document = database.Document(
            name=args.document.stem,
            description="",
            filename=args.document.name,
            project=project,
            text_direction=database.TextDirection.LEFT_TO_RIGHT,
            contents="".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()),
        )
        db.add(document)
        db.flush()
        if args.code:
            first = text.splitlines()[0]
            db.add(
                database.Highlight(
                    document=document, start_offset=0, end_offset=len(first), snippet=first, tags=[tag_named(args.code)]
                )
            )
    db.commit()

    tags = list(project.tags)
    buffer = io.BytesIO()
    export.codebook_xml(tags, buffer)
    args.out.write_bytes(buffer.getvalue())
    summary = {
        "tags": [{"path": t.path, "description": t.description, "highlights": len(t.highlights)} for t in tags],
        "out": str(args.out),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
