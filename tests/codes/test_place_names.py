"""Locality names in their proper case (codes.place_names), on the real names of the GPCI and
LOCCO files: abbreviations and state codes stay capitals, small words lower case."""

import pytest

from codes.place_names import display_name
from tests.cms_files import gpci_records


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("HOUSTON", "Houston"),
        (
            "LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES/ORANGE CNTY)",
            "Los Angeles-Long Beach-Anaheim (Los Angeles/Orange Cnty)",
        ),
        ("DC + MD/VA SUBURBS", "DC + MD/VA Suburbs"),
        ("NYC SUBURBS/LONG ISLAND", "NYC Suburbs/Long Island"),
        ("POUGHKPSIE/N NYC SUBURBS", "Poughkpsie/N NYC Suburbs"),
        ("NORTHERN NJ", "Northern NJ"),
        ("REST OF CALIFORNIA", "Rest of California"),
        ("EAST ST. LOUIS", "East St. Louis"),
        ("BALTIMORE/SURR. CNTYS", "Baltimore/Surr. Cntys"),
        ("ALASKA*", "Alaska"),
        ("MONTANA**", "Montana"),
        ("SAN LUIS OBISPO-PASO ROBLES", "San Luis Obispo-Paso Robles"),
        ("  HAWAII/GUAM ", "Hawaii/Guam"),
        # LOCCO county lists: "in" is a word there, not Indiana.
        (
            "MONTGOMERY AND PRINCE GEORGE'S IN MARYLAND",
            "Montgomery and Prince George's in Maryland",
        ),
        ("ALL OTHER COUNTIES EXCEPT O'HARE", "All Other Counties Except O'Hare"),
        ("", ""),
    ],
)
def test_display_name(raw, shown):
    assert display_name(raw) == shown


def test_every_real_locality_name_reads_in_mixed_case():
    for record in gpci_records("RVU26A", "GPCI2026.csv").values():
        shown = display_name(record["Locality Name"])
        words = [w for w in shown.replace("/", " ").replace("-", " ").split() if len(w) > 3]

        assert shown and "*" not in shown
        assert all(not w.isupper() for w in words if w not in {"NYC"}), shown
        assert shown.upper() == " ".join(record["Locality Name"].replace("*", " ").split())
