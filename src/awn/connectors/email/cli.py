"""`awn mail …`: the email channel's processes and tools.

awn mail serve [--host H --port P] [--lmtp]    SMTP (or LMTP) listener for inbound mail
awn mail poll [--watch]                         fetch IMAP mailboxes once, or keep fetching (IDLE)
awn mail ingest FILE… [--mailbox ADDRESS]       store and ingest .eml files (imports, tests)
awn mail ingest --pending [--batch N] [--watch] ingest stored messages still waiting, N per transaction
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="awn mail", description="The email channel (docs/email.md).")
    commands = parser.add_subparsers(dest="action", metavar="ACTION")
    commands.required = True
    serve = commands.add_parser("serve", help="listen for inbound mail over SMTP or LMTP (aiosmtpd)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=2525, help="port (default 2525; 25 needs privileges)")
    serve.add_argument("--lmtp", action="store_true", help="speak LMTP (for Postfix's lmtp: transport)")
    poll = commands.add_parser("poll", help="fetch new mail from the IMAP mailboxes")
    poll.add_argument(
        "--watch", action="store_true", help="keep fetching: IDLE where offered, else an interval"
    )
    ingest = commands.add_parser("ingest", help="store and ingest .eml files, or the stored ones waiting")
    ingest.add_argument("files", nargs="*", metavar="FILE")
    ingest.add_argument("--mailbox", help="the mailbox address the files arrived at")
    ingest.add_argument("--pending", action="store_true", help="ingest stored messages still waiting")
    ingest.add_argument("--store-only", action="store_true", help="store the files; do not ingest them")
    ingest.add_argument("--watch", action="store_true", help="with --pending: keep ingesting new arrivals")
    ingest.add_argument(
        "--batch",
        type=int,
        default=None,
        metavar="N",
        help="with --pending: messages per transaction (default 20; 1 = one transaction each)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    from awn.cli.environment import require_migrated, say

    require_migrated()
    if args.action == "serve":
        return _serve(args, say)
    if args.action == "poll":
        return _poll(args, say)
    return _ingest(args, say)


def _serve(args, say) -> int:
    from awn.connectors.email.listener import start_listener

    controller, worker = start_listener(host=args.host, port=args.port, lmtp=args.lmtp)
    say(f"Awn mail listener ({'LMTP' if args.lmtp else 'SMTP'}) on {args.host}:{args.port}; Ctrl-C stops it.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    controller.stop()
    worker.stop()
    return 0


def _poll(args, say) -> int:
    from awn.connectors.email import imap
    from awn.connectors.email.models import Mailbox

    if not args.watch:
        for address, outcome in imap.poll_all().items():
            say(f"{address}: {outcome}")
        return 0
    say("Fetching mail from the IMAP mailboxes; Ctrl-C stops.")
    try:
        while True:
            imap.poll_all()
            mailboxes = list(Mailbox.objects.filter(active=True, inbound=Mailbox.Inbound.IMAP))
            if len(mailboxes) == 1:
                try:  # one mailbox: IDLE until mail arrives (or the interval passes)
                    if imap.wait_for_mail(mailboxes[0], timeout=imap.poll_interval()):
                        continue
                except imap.ImapError:
                    pass
            time.sleep(imap.poll_interval())
    except KeyboardInterrupt:
        return 0


def _ingest(args, say) -> int:
    from awn.connectors.email.ingest import BATCH_SIZE, ingest_pending, ingest_raw_email, store_raw_email
    from awn.connectors.email.models import Mailbox, RawEmail

    if args.pending:
        batch = max(1, args.batch or BATCH_SIZE)
        total = ingest_pending(limit=100_000, batch_size=batch)
        while args.watch:
            time.sleep(0.5)
            total += ingest_pending(limit=100_000, batch_size=batch)
        say(f"ingested {total} stored messages")
        return 0
    mailbox = None
    if args.mailbox:
        mailbox = Mailbox.objects.filter(address__iexact=args.mailbox).first()
        if mailbox is None:
            print(f"awn mail: no mailbox {args.mailbox}", file=sys.stderr)
            return 1
    for name in args.files:
        row = store_raw_email(raw=Path(name).read_bytes(), source=RawEmail.Source.IMPORT, mailbox=mailbox)
        if not args.store_only and row.status == RawEmail.Status.RECEIVED:
            row = ingest_raw_email(row.pk)
        say(f"{name}: {row.status} {row.reason}".rstrip())
    return 0
