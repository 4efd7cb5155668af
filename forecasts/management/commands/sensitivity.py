from django.core.management.base import BaseCommand

from forecasts import scoring
from forecasts.selectors_scales import sensitivity_table


class Command(BaseCommand):
    help = (
        "Print each scored expert's rank and Brier under every hedge scale and the spread of the ranks; "
        f"an expert whose rank moves by more than {scoring.MOVES_MORE_THAN} places is marked *."
    )

    def handle(self, *args, **options):
        table = sensitivity_table()
        width = max([len("Expert"), *(len(expert.slug) for expert in table.experts)])
        cells = [f"{slug:>22}" for slug in table.scales]
        self.stdout.write(f"{'Expert':<{width}}  " + "  ".join(cells) + "  spread")
        for expert in table.experts:
            cells = []
            for slug in table.scales:
                score = table.by_scale[slug].get(expert.pk)
                rank = "-" if score is None or score.rank is None else f"#{score.rank}"
                brier = "" if score is None else f"{score.brier:.3f}"
                cells.append(f"{rank:>5} {brier:>16}")
            spread = table.spreads.get(expert.pk)
            mark = " *" if table.moves(expert.pk) else ""
            self.stdout.write(
                f"{expert.slug:<{width}}  " + "  ".join(cells) + f"  {'-' if spread is None else spread:>6}{mark}"
            )
        remapped = ", ".join(f"{slug} {n}" for slug, n in table.remapped.items())
        self.stdout.write("Each cell: rank (shrunk Brier) and mean Brier. "
                          f"Counting hedge claims given each scale's value: {remapped}.")
        unmapped = {slug: n for slug, n in table.unmapped.items() if n}
        if unmapped:
            self.stdout.write("Hedge claims whose phrase a scale lacks (kept their probability): "
                              + ", ".join(f"{slug} {n}" for slug, n in unmapped.items()) + ".")
        self.stdout.write(f"* the rank moves by more than {scoring.MOVES_MORE_THAN} places across the scales.")
