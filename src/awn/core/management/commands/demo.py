"""`manage.py demo [--reset]`: the same as `awn demo`, for those who run Django's commands directly."""

from django.core.management.base import BaseCommand

from awn.demo import demo_sign_ins_text, load_demo


class Command(BaseCommand):
    help = "Load the demo helpdesk (~200 tickets in English, Arabic and Persian); does nothing if loaded."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="delete the demo data and load it again")

    def handle(self, *args, **options):
        outcome = load_demo(reset=options["reset"], progress=self.stdout.write)
        self.stdout.write(outcome.summary)
        self.stdout.write("")
        self.stdout.write(demo_sign_ins_text())
