"""Knowledge-base benchmark: 10,000 articles in English, Arabic and Persian; article page and search p95.

    .venv/bin/python bench/kb_bench.py --database sqlite
    .venv/bin/python bench/kb_bench.py --database postgres [--articles 10000] [--requests 400]

SQLite data goes to AWN_HOME=/tmp/awn-kb-bench, PostgreSQL data to the database awn_kb_bench (created if
missing). A second run reuses the data (--regenerate starts over). Every article gets a translation in each of
the three languages (30,000 published translations), written with bulk_create and rendered with the real
Markdown renderer; the index is then built by `rebuild_article_index`, as after an import. Requests go through
Django's test client in this process (no network, no server): the full middleware stack, the view, its
queries and its writes (each article view is counted), and the template. Prints p50/p95/max in ms and the
CPU time of this process per request (all of the work on SQLite; on PostgreSQL the server's share is not in
it). Measure a checkout by putting its `src` first: PYTHONPATH=/path/to/checkout/src.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

SQLITE_HOME = "/tmp/awn-kb-bench"
POSTGRES_URL = "postgres://postgres@127.0.0.1/awn_kb_bench"
LANGUAGES = ("en", "ar", "fa")


def _words(text: str) -> list[str]:
    return text.split()


WORDS = {
    "en": _words(
        "account password invoice payment refund subscription plan export report team member invite role "
        "mobile app domain certificate email address profile security login sign device browser cache "
        "error upload file attachment limit storage backup restore calendar reminder notification webhook "
        "api token integration import contact customer ticket status priority queue agent schedule holiday "
        "language timezone currency tax receipt discount coupon trial upgrade downgrade cancel delete archive"
    ),
    "ar": _words(
        "الحساب كلمة المرور الفاتورة الدفع استرداد الاشتراك الخطة تصدير التقرير الفريق عضو دعوة الدور "
        "التطبيق النطاق الشهادة البريد الملف الشخصي الأمان الدخول الجهاز المتصفح خطأ رفع المرفق الحد "
        "التخزين النسخ الاحتياطي الاستعادة التقويم التذكير الإشعار الرمز التكامل استيراد جهة العميل "
        "التذكرة الحالة الأولوية الطابور الموظف الجدول العطلة اللغة المنطقة العملة الضريبة الإيصال الخصم "
        "القسيمة التجربة الترقية إلغاء حذف أرشفة"
    ),
    "fa": _words(
        "حساب رمز عبور فاکتور پرداخت بازپرداخت اشتراک طرح خروجی گزارش تیم عضو دعوت نقش برنامه دامنه "
        "گواهی ایمیل نمایه امنیت ورود دستگاه مرورگر خطا بارگذاری پیوست محدودیت فضا پشتیبان بازیابی تقویم "
        "یادآوری اعلان توکن یکپارچگی درون‌ریزی مخاطب مشتری تیکت وضعیت اولویت صف کارشناس "
        "زمان‌بندی تعطیلی زبان منطقه ارز مالیات رسید تخفیف کوپن آزمایشی ارتقا کاهش لغو حذف بایگانی"
    ),
}
FILLER = {
    "en": _words("the to and you your can in on with from is this when after before"),
    "ar": _words("في من على إلى مع عند بعد قبل هذا يمكنك ثم"),
    "fa": _words("در از به با را که این پس پیش می‌توانید سپس"),
}


def configure(database: str, *, home: str | None = None, postgres_url: str = POSTGRES_URL) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.config.settings")
    if database == "sqlite":
        os.environ["AWN_HOME"] = home or SQLITE_HOME
        os.environ.pop("AWN_DATABASE_URL", None)
    else:
        import psycopg
        from psycopg import sql

        os.environ["AWN_HOME"] = home or SQLITE_HOME + "-pg"
        os.environ["AWN_DATABASE_URL"] = postgres_url
        name = postgres_url.rsplit("/", 1)[1].split("?", 1)[0]
        server = postgres_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(server, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ.setdefault("AWN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    Path(os.environ["AWN_HOME"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def sentence(rng: random.Random, language: str, length: int) -> str:
    words = [
        rng.choice(WORDS[language]) if rng.random() < 0.6 else rng.choice(FILLER[language])
        for _ in range(length)
    ]
    return " ".join(words)


def generate(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from awn.accounts.models import Role, User
    from awn.core import clock
    from awn.knowledge.models import Article, ArticleTranslation, Category, Section, State
    from awn.knowledge.rendering import plain_text, render_markdown
    from awn.knowledge.search import rebuild_article_index

    started = time.monotonic()
    author = User.objects.filter(email="kb-bench@support.example").first() or User.objects.create_user(
        email="kb-bench@support.example", role=Role.ADMIN, name="KB bench"
    )
    sections = []
    for c in range(10):
        category = Category.objects.create(
            slug=f"category-{c}",
            names={language: sentence(rng, language, 2) for language in LANGUAGES},
            position=c,
        )
        for s in range(5):
            sections.append(
                Section.objects.create(
                    category=category,
                    slug=f"section-{s}",
                    names={language: sentence(rng, language, 2) for language in LANGUAGES},
                    position=s,
                )
            )
    now = clock.now()
    batch = 500
    for start in range(0, count, batch):
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [
                    Article(
                        section=rng.choice(sections),
                        created_by=author,
                        created_at=now,
                        updated_at=now,
                        view_count=rng.randint(0, 5000),
                    )
                    for _ in range(min(batch, count - start))
                ]
            )
            translations = []
            for number, article in enumerate(articles, start=start):
                for language in LANGUAGES:
                    title = sentence(rng, language, rng.randint(3, 7))
                    body = "\n\n".join(sentence(rng, language, rng.randint(30, 80)) for _ in range(3))
                    body += f"\n\n- {sentence(rng, language, 6)}\n- {sentence(rng, language, 6)}"
                    html = render_markdown(body)
                    translations.append(
                        ArticleTranslation(
                            article=article,
                            language=language,
                            title=title.capitalize(),
                            slug=f"{'-'.join(title.split()[:5])}-{number}",
                            body=body,
                            html=html,
                            text=plain_text(html),
                            state=State.PUBLISHED,
                            published_at=now,
                            updated_at=now,
                            updated_by=author,
                            revision_count=1,
                        )
                    )
            ArticleTranslation.objects.bulk_create(translations)
        print(f"  {start + len(articles)}/{count} articles", flush=True)
    indexed = rebuild_article_index()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does a little later on a live database
    print(f"generated {count} articles, {indexed} translations indexed in {time.monotonic() - started:.0f} s")


CPU: list[float] = []  # CPU time of this process per request of the last timed() call


def timed(calls) -> list[float]:
    times = []
    CPU.clear()
    for call in calls:
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - began) * 1000)
        CPU.append((time.process_time() - began_cpu) * 1000)
    return times


def report(name: str, times: list[float], cpu: list[float] | None = None) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    cpu = sorted(CPU if cpu is None else cpu)
    cpu_p95 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))] if cpu else 0.0
    print(
        f"{name:<34} n={len(times):<5} p50={statistics.median(ordered):7.1f} ms  p95={p95:7.1f} ms  "
        f"max={ordered[-1]:7.1f} ms  cpu p50={statistics.median(cpu) if cpu else 0.0:6.1f} p95={cpu_p95:6.1f}"
    )


def run(requests: int, rng: random.Random) -> None:
    from django.test import Client
    from django.urls import reverse

    from awn.knowledge.models import ArticleTranslation, Category
    from awn.knowledge.selectors import search_help_center

    slugs = {
        language: list(
            ArticleTranslation.objects.filter(language=language)
            .values_list("slug", flat=True)
            .order_by("?")[:requests]
        )
        for language in LANGUAGES
    }
    clients = {
        language: Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_HOST="127.0.0.1") for language in LANGUAGES
    }
    for language in LANGUAGES:  # warm up: connections, templates, the CSRF cookie
        clients[language].get(reverse("knowledge:home"))

    def page(language, slug):
        def call():
            response = clients[language].get(reverse("knowledge:article", args=[slug]))
            assert response.status_code == 200, response.status_code

        return call

    def conditional(language, slug):
        url = reverse("knowledge:article", args=[slug])
        etag = clients[language].get(url)["ETag"]

        def call():
            response = clients[language].get(url, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 304, response.status_code

        return call

    def queries(language):
        # Two or three words from the vocabulary (found), sometimes a word being typed, sometimes nothing.
        out = []
        for _ in range(requests):
            words = rng.sample(WORDS[language], rng.randint(1, 3))
            if rng.random() < 0.3:
                words[-1] = words[-1][: max(3, len(words[-1]) - 2)]
            if rng.random() < 0.1:
                words = ["zzqx", "qqzz"]
            out.append(" ".join(words))
        return out

    def search_page(language, query):
        def call():
            assert clients[language].get(reverse("knowledge:search"), {"q": query}).status_code == 200

        return call

    def search_only(language, query):
        return lambda: search_help_center(user=None, query=query, language=language)

    all_pages, all_searches, all_selector = [], [], []
    all_cpu: list[float] = []
    for language in LANGUAGES:
        pages = timed([page(language, slug) for slug in slugs[language]])
        report(f"article page ({language})", pages)
        all_pages += pages
        all_cpu += CPU
    report("article page (all)", all_pages, all_cpu)
    report(
        "article page, 304 (all)",
        timed(
            [
                conditional(language, slugs[language][i])
                for language in LANGUAGES
                for i in range(min(50, requests))
            ]
        ),
    )
    report(
        "help home (all)",
        timed(
            [
                lambda lang=language: clients[lang].get(reverse("knowledge:home"))
                for language in LANGUAGES
                for _ in range(50)
            ]
        ),
    )
    categories = list(Category.objects.values_list("slug", flat=True))
    report(
        "category page (all)",
        timed(
            [
                lambda lang=language, slug=slug: clients[lang].get(reverse("knowledge:category", args=[slug]))
                for language in LANGUAGES
                for slug in categories
                for _ in range(3)
            ]
        ),
    )
    search_cpu: list[float] = []
    selector_cpu: list[float] = []
    for language in LANGUAGES:
        texts = queries(language)
        searches = timed([search_page(language, query) for query in texts])
        report(f"search page ({language})", searches)
        all_searches += searches
        search_cpu += CPU
        all_selector += timed([search_only(language, query) for query in texts])
        selector_cpu += CPU
    report("search page (all)", all_searches, search_cpu)
    report("search selector only (all)", all_selector, selector_cpu)
    suggest = Client(HTTP_HOST="127.0.0.1")
    report(
        "suggestions while typing (en)",
        timed(
            [
                lambda q=query: suggest.get(reverse("knowledge:suggest"), {"subject": q, "source": "contact"})
                for query in queries("en")[:100]
            ]
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="timed requests per language and kind")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", help=f"AWN_HOME of the data (default {SQLITE_HOME}, -pg for PostgreSQL)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="database (created if missing)")
    args = parser.parse_args()
    configure(args.database, home=args.home, postgres_url=args.postgres_url)
    from django.core.cache import cache
    from django.core.management import call_command

    from awn.knowledge.models import Article, Category

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    if args.regenerate:
        Article.objects.all().delete()
        Category.objects.all().delete()
    if not Article.objects.exists():
        generate(args.articles, rng)
    from django.db import connection

    print(f"{connection.vendor}: {Article.objects.count()} articles")
    cache.clear()  # rate limits of an earlier run
    run(args.requests, rng)


if __name__ == "__main__":
    main()
