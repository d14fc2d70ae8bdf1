"""Email ingestion benchmark (DESIGN.md §10: ≥ 100 messages/s): realistic mail through the real pipeline.

    .venv/bin/python bench/email_ingest.py --database sqlite --messages 10000
    .venv/bin/python bench/email_ingest.py --database postgres --messages 10000 --workers 2
    .venv/bin/python bench/email_ingest.py --database sqlite --messages 2000 --mode single

Each run starts from an empty database (SQLite under AWN_HOME=/tmp/awn-email-bench, PostgreSQL in the
database awn_email_bench; --home and --pg-database choose others). The messages are made first (not timed):
new requests and replies that thread by In-Reply-To and quote the history they answer, in English, Arabic
and Persian, some HTML, one in five with an attachment, from 2,000 customers.

--mode batch (the default) does what a deployment does: every message is stored as a listener stores it
(raw file + row, one committed transaction each, what the sender waits for before its 250), then ingestion
workers (`awn mail ingest --pending --batch N`, real processes; --workers 0 ingests in this process) take
the stored messages N per transaction: parse, filters, threading, the ticket service, the search index,
and every other app's reactions. The figure is messages over the time of both, up to the last commit;
then it checks every message is a ticket message, in the search index, and found by a search.
--mode single stores and ingests each message in turn in this process (receive_raw_email, one transaction
each), as the HTTP endpoint does, with the p50/p95 of one message.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

SQLITE_HOME = "/tmp/awn-email-bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1/awn_email_bench"
CUSTOMERS = 2000

SUBJECTS = {
    "en": [
        "Invoice {n} is wrong",
        "Cannot sign in since the update",
        "Printer {n} keeps jamming",
        "Refund for order {n}",
        "Shipping address change for order {n}",
        "App crashes on start",
    ],
    "ar": [
        "الفاتورة {n} غير صحيحة",
        "لا أستطيع تسجيل الدخول",
        "استرداد المبلغ للطلب {n}",
        "تغيير عنوان الشحن للطلب {n}",
    ],
    "fa": [
        "فاکتور {n} اشتباه است",
        "نمی\u200cتوانم وارد حساب شوم",
        "بازپرداخت سفارش {n}",
        "تغییر نشانی ارسال سفارش {n}",
    ],
}
BODIES = {
    "en": "Hello,\n\nI ordered item {n} last week and the total on the invoice does not match my cart. "
    "Could you check and send a corrected invoice?\n\nThanks,\n{name}",
    "ar": "مرحباً،\n\nطلبت المنتج {n} الأسبوع الماضي والمبلغ في الفاتورة لا يطابق سلة المشتريات. "
    "هل يمكنكم المراجعة وإرسال فاتورة مصححة؟\n\nشكراً،\n{name}",
    "fa": "سلام،\n\nهفته\u200cی پیش کالای {n} را سفارش دادم و مبلغ فاکتور با سبد خرید یکی نیست. "
    "لطفاً بررسی کنید و فاکتور اصلاح\u200cشده بفرستید.\n\nممنون،\n{name}",
}
REPLIES = {
    "en": "Any news on this? I still have the problem.",
    "ar": "هل من جديد؟ المشكلة ما زالت قائمة.",
    "fa": "خبری نشد؟ مشکل هنوز هست.",
}


SRC = Path(__file__).resolve().parent.parent / "src"


def configure(database: str, *, home: str, pg_database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    path = Path(home if database == "sqlite" else home + "-pg")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["AWN_HOME"] = str(path)
    os.environ.setdefault("AWN_LOG_LEVEL", "WARNING")
    if database == "sqlite":
        os.environ.pop("AWN_DATABASE_URL", None)
    else:
        import psycopg

        os.environ["AWN_DATABASE_URL"] = POSTGRES_URL.rsplit("/", 1)[0] + "/" + pg_database
        with psycopg.connect("postgres://postgres@127.0.0.1/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {pg_database}")
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_messages(count: int, rng: random.Random) -> list[bytes]:
    """New requests (40 %) and replies to earlier ones (60 %), as mail clients send them."""
    conversations: list[dict] = []
    messages = []
    for n in range(count):
        if conversations and rng.random() < 0.6:
            thread = rng.choice(conversations)
            lang, customer = thread["lang"], thread["customer"]
            subject = "Re: " + thread["subject"]
            quoted = "\n".join("> " + line for line in thread["last_text"].splitlines())
            text = f"{REPLIES[lang]}\n\nOn Mon, 4 Mar 2024 at 10:00, {customer} wrote:\n{quoted}"
            reply_to = thread["ids"][-1]
        else:
            lang = rng.choice(["en", "en", "ar", "fa"])
            customer = f"customer{rng.randrange(CUSTOMERS)}@example.com"
            subject = rng.choice(SUBJECTS[lang]).format(n=rng.randrange(10_000, 99_999))
            text = BODIES[lang].format(n=rng.randrange(1000, 9999), name=customer.split("@")[0])
            reply_to = None
            thread = {"lang": lang, "customer": customer, "subject": subject, "ids": []}
            conversations.append(thread)
        message_id = f"<bench-{n}-{rng.getrandbits(40):x}@mail.example.com>"
        mail = EmailMessage()
        mail["From"] = customer
        mail["To"] = "support@acme.example"
        mail["Subject"] = subject
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Message-ID"] = message_id
        if reply_to:
            mail["In-Reply-To"] = reply_to
            mail["References"] = " ".join(thread["ids"][-10:])
        mail.set_content(text)
        if rng.random() < 0.3:
            paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
            mail.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if rng.random() < 0.2:
            size = rng.randrange(10_000, 200_000)
            mail.add_attachment(
                rng.randbytes(size), maintype="application", subtype="pdf", filename=f"scan-{n}.pdf"
            )
        thread["ids"].append(message_id)
        thread["last_text"] = text
        messages.append(mail.as_bytes(policy=mail.policy.clone(linesep="\r\n")))
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--mode", choices=["batch", "single"], default="batch")
    parser.add_argument(
        "--workers", type=int, default=1, help="batch mode: ingestion processes (0: this one)"
    )
    parser.add_argument("--batch", type=int, default=20, help="batch mode: messages per transaction")
    parser.add_argument(
        "--concurrent",
        action="store_true",
        help="batch mode: the workers ingest while the messages are being stored (else afterwards)",
    )
    parser.add_argument("--home", default=SQLITE_HOME, help="AWN_HOME of the run (emptied first)")
    parser.add_argument("--pg-database", default="awn_email_bench", help="PostgreSQL database (recreated)")
    parser.add_argument(
        "--count-queries", action="store_true", help="count the queries of this process (slower)"
    )
    parser.add_argument(
        "--without-reactions",
        action="store_true",
        help="switch off the other apps' after-commit handlers (automation, routing, "
        "real time, knowledge) to see the email pipeline's own cost (in this process only)",
    )
    args = parser.parse_args()
    configure(args.database, home=args.home, pg_database=args.pg_database)

    from django.db import connection

    from awn.accounts.models import Team
    from awn.connectors.email.models import Mailbox

    team = Team.objects.create(name="Support")
    mailbox = Mailbox.objects.create(
        name="Acme Support", address="support@acme.example", team=team, inbound=Mailbox.Inbound.SMTP
    )
    if args.without_reactions:
        from awn.core import events

        events.HANDLERS.clear()
    messages = make_messages(args.messages, random.Random(args.seed))
    megabytes = sum(len(m) for m in messages) / 1048576
    how = (
        "one at a time"
        if args.mode == "single"
        else f"stored, then {args.workers or 'this'} worker(s), {args.batch} per transaction"
    )
    print(
        f"{args.database}: {len(messages)} messages ({megabytes:.0f} MB) generated; ingesting {how} …",
        flush=True,
    )
    queries = []  # the statements of this process (--count-queries)
    counting = connection.execute_wrapper(
        lambda execute, sql, params, many, context: queries.append(sql) or execute(sql, params, many, context)
    )
    if args.count_queries:
        counting.__enter__()
    load_before = os.getloadavg()[0]
    if args.mode == "single":
        elapsed, cpu, timings = run_single(messages, mailbox)
        rate = len(messages) / elapsed
        print(
            f"{args.database} one at a time: {len(messages)} messages in {elapsed:.1f} s ="
            f" {rate:.0f} messages/s"
            f" (one message p50 {statistics.median(timings) * 1000:.1f} ms,"
            f" p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms)"
        )
    else:
        elapsed, cpu = run_batched(messages, mailbox, args)
    if args.count_queries:
        counting.__exit__(None, None, None)
    # On a shared machine the wall clock includes waiting for a core; CPU time per message says what one
    # uncontended core does (the database server's own CPU is not in it).
    print(
        f"  CPU {cpu / len(messages) * 1000:.1f} ms per message in Awn's processes = "
        f"{len(messages) / cpu:.0f} messages/s per core; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
        + (f"; {len(queries) / len(messages):.1f} queries per message" if args.count_queries else "")
    )
    report(len(messages), conversations=sum(1 for raw in messages if b"\r\nIn-Reply-To:" not in raw))


def run_single(messages: list[bytes], mailbox) -> tuple[float, float, list[float]]:
    from awn.connectors.email.ingest import receive_raw_email
    from awn.connectors.email.models import RawEmail

    timings = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for raw in messages:
        begin = time.perf_counter()
        receive_raw_email(raw=raw, source=RawEmail.Source.SMTP, mailbox=mailbox)
        timings.append(time.perf_counter() - begin)
    timings.sort()
    return time.perf_counter() - started, time.process_time() - cpu_started, timings


def run_batched(messages: list[bytes], mailbox, args) -> tuple[float, float]:
    import resource
    import signal
    import subprocess

    from django.db import connection

    from awn.connectors.email.ingest import ingest_pending, store_raw_email
    from awn.connectors.email.models import RawEmail

    def start_workers(*extra: str) -> list[subprocess.Popen]:
        connection.close()
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        awn = Path(sys.executable).with_name("awn")
        command = [str(awn), "mail", "ingest", "--pending", "--batch", str(args.batch), *extra]
        return [
            subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            for _ in range(args.workers)
        ]

    rusage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu_started = time.perf_counter(), time.process_time()
    # --concurrent: the workers run while the messages arrive, as beside a listener (`--watch`).
    workers = start_workers("--watch") if args.concurrent else []
    timings = []
    for raw in messages:
        begin = time.perf_counter()
        store_raw_email(raw=raw, source=RawEmail.Source.SMTP, mailbox=mailbox)
        timings.append(time.perf_counter() - begin)
    stored = time.perf_counter() - started
    store_cpu = time.process_time() - cpu_started
    timings.sort()
    print(
        f"  stored in {stored:.1f} s ({len(messages) / stored:.0f}/s; one message p50 "
        f"{statistics.median(timings) * 1000:.1f} ms, p95 {timings[int(len(timings) * 0.95)] * 1000:.1f} ms;"
        f" CPU {store_cpu / len(messages) * 1000:.1f} ms per message)",
        flush=True,
    )
    ingest_started = time.perf_counter()
    ingest_cpu = 0.0
    if args.concurrent:
        waiting = RawEmail.objects.filter(status=RawEmail.Status.RECEIVED)
        while waiting.exists():
            if any(worker.poll() is not None for worker in workers):
                sys.exit("a worker stopped")
            time.sleep(0.2)
        for worker in workers:
            # SIGTERM, not SIGINT: a background job of a non-interactive shell inherits SIGINT ignored; every
            # message is ingested by now, so ending the worker at once loses nothing.
            worker.send_signal(signal.SIGTERM)
            worker.wait()
    elif args.workers == 0:
        cpu_before = time.process_time()
        ingest_pending(limit=len(messages) * 2, batch_size=args.batch)
        ingest_cpu = time.process_time() - cpu_before
    else:
        workers = start_workers()
        codes = [worker.wait() for worker in workers]
        if any(codes):
            sys.exit(f"a worker failed: exit codes {codes}")
    if workers:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        ingest_cpu = (after.ru_utime + after.ru_stime) - (rusage_before.ru_utime + rusage_before.ru_stime)
    ingested = time.perf_counter() - ingest_started
    elapsed = time.perf_counter() - started
    after_store = " after the last message was stored" if args.concurrent else ""
    print(
        f"  ingested{after_store} in {ingested:.1f} s; ingestion CPU "
        f"{ingest_cpu / len(messages) * 1000:.1f} ms per message (workers' start-up included)"
    )
    print(
        f"{args.database} stored and ingested: {len(messages)} messages in {elapsed:.1f} s = "
        f"{len(messages) / elapsed:.0f} messages/s",
        flush=True,
    )
    return elapsed, store_cpu + ingest_cpu


def report(count: int, *, conversations: int) -> None:
    """What landed: every raw email's status, the rows, and that the messages are searchable."""
    from django.db.models import Count

    from awn.accounts.models import User
    from awn.connectors.email.models import RawEmail
    from awn.search.models import SearchDocument
    from awn.search.selectors import search_tickets
    from awn.tickets.models import Attachment, Message, Ticket

    statuses = dict(RawEmail.objects.values_list("status").annotate(n=Count("id")))
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        email="bench-admin@acme.example", password="x"
    )
    found = len(search_tickets(user=admin, query="invoice", limit=100))
    print(
        f"  raw emails by status: {statuses}; tickets {Ticket.objects.count()} "
        f"(conversations {conversations}), "
        f"messages {Message.objects.count()}, attachments {Attachment.objects.count()}, "
        f"search documents {SearchDocument.objects.count()}; a search for 'invoice' finds {found} tickets"
        " (of at most 100)"
    )
    if statuses != {"ingested": count}:
        sys.exit("not every message was ingested")
    if Ticket.objects.count() != conversations:
        sys.exit("replies did not all thread into their conversation's ticket")


if __name__ == "__main__":
    main()
