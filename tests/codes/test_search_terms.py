"""The pure parts of code search: reading typed words into terms (codes.search_terms), and the
prior and text scores that rank results (codes.search_rank). No database."""

from decimal import Decimal

import pytest

from codes import categories, search_rank, search_terms
from codes.search_terms import Vocabulary, Word


def spelled(query_terms):
    """Terms as plain lists: [[["mri"], ["magnetic", "resonance"]], ...] (short forms left out)."""
    return [[[word.text for word in phrasing] for phrasing in term] for term in query_terms]


# --- Terms ------------------------------------------------------------------------------------

MRI = [["mri"], ["magnetic", "resonance"]]
KNEE = [["knee"], ["lower", "extremity", "joint"]]
EM = [["e/m"], ["evaluation", "management"], ["office", "visit"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lap chole", [[["lap"]], [["chole"]]]),
        ("mri knee", [MRI, KNEE]),
        # "e/m", "e&m" and "em" are one key; the stop words "of" and "the" say nothing.
        ("E/M level 4", [EM, [["level"]], [["4"]]]),
        ("e&m", [EM]),
        ("mri of the knee", [MRI, KNEE]),
        ("cat scan head", [[["ct"], ["computed", "tomography"]], [["head"]]]),
        ("of", [[["of"]]]),  # only stop words: kept, rather than searching for nothing
    ],
)  # fmt: skip
def test_typed_words_become_terms_with_what_they_may_mean(typed, expected):
    assert spelled(search_terms.terms(search_terms.words_of(typed))) == expected


def test_words_carry_the_short_forms_cms_writes():
    (term,) = search_terms.terms(["knee"])
    assert term[0] == (Word("knee", ("kne",)),)
    assert term[1] == (
        Word("lower", ("lwr",), typed=False),
        Word("extremity", ("extr", "extre", "extrem", "extrm"), typed=False),
        Word("joint", ("jnt", "jt"), typed=False),
    )


def test_every_table_entry_is_lower_case_words():
    for key, meanings in search_terms.PHRASES.items():
        assert key == key.lower() and search_terms.words_of(key)
        assert all(m == m.lower() and m.split() for m in meanings), key
    for word, short_forms in search_terms.SHORT_FORMS.items():
        assert word.isalpha() and word == word.lower()
        assert all(s == s.lower() and " " not in s and s != word for s in short_forms), word


def test_the_terms_read_as_a_postgresql_tsquery():
    query_terms = search_terms.terms(search_terms.words_of("mri knee"))
    assert search_terms.tsquery(query_terms) == (
        "((mri:*) | (magnetic & resonance)) & (((knee:* | kne)) | ((lower | lwr)"
        " & (extremity | extr | extre | extrem | extrm) & (joint | jnt | jt)))"
    )
    # Words under three letters, tokens such as "e/m" and the words a table supplies (the
    # English stemmer matches their other endings) are matched whole; only typed words may be
    # abbreviations.
    assert search_terms.tsquery(search_terms.terms(["ct", "4"])).startswith("((ct) | (")
    assert search_terms.tsquery(search_terms.terms(["e", "m"])).startswith("((e/m) | ")


def test_the_words_are_stemmed_so_endings_do_not_matter():
    assert search_terms.stem("replacement") == "replace"
    assert search_terms.stem("injections") == "inject"
    assert search_terms.stem("knees") == "knee"
    assert search_terms.stem("biopsies") == "biops"
    assert search_terms.stem("mass") == "mass"  # at least four letters stay


@pytest.mark.parametrize(
    ("words", "asked"),
    [(["anesthesia", "knee"], True), (["anes"], True), (["anaesthetic"], True), (["knee"], False)],
)
def test_a_query_asks_for_anesthesia_when_a_word_says_so(words, asked):
    assert search_terms.about_anesthesia(words) is asked


# --- Spelling -----------------------------------------------------------------------------------

TEXTS = [
    "Diagnostic colonoscopy",
    "Replacing a catheter",
    "Total knee arthroplasty",
    "total knee replacement\nknee replacement",
    "Laparoscopic cholecystectomy",
    "Preop asses 4 cataract surg",
]


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("colonscopy", "colonoscopy"),
        ("cholecystectmy", "cholecystectomy"),
        ("cateract", "cataract"),
        ("arthroplsty", "arthroplasty"),
        ("colonoscopy", "colonoscopy"),  # known
        ("colono", "colono"),  # the start of a known word is left for prefix matching
        ("replacements", "replacement"),  # another ending: the word the codes use
        ("replacment", "replacement"),  # though "replac" starts a known word
        ("kne", "kne"),  # too short to correct (it is a prefix of "knee" anyway)
        ("qqqzzz", "qqqzzz"),  # nothing close
        ("4", "4"),
    ],
)
def test_misspelt_words_are_corrected_against_the_vocabulary(typed, corrected):
    assert Vocabulary(TEXTS).correct(typed) == corrected


def test_the_vocabulary_holds_the_words_of_the_texts_and_the_tables():
    words = Vocabulary(TEXTS).words
    assert {"colonoscopy", "replacement", "cataract", "magnetic", "extremity"} <= set(words)
    assert "4" not in words and "surg" in words and list(words) == sorted(set(words))


# --- Prior --------------------------------------------------------------------------------------


def prior(**changes):
    row = {
        "kind": categories.CPT_CATEGORY_I,
        "category": "Surgery",
        "status": "A",
        "work_rvu": Decimal("20.72"),
        "curated": False,
        "anesthesia": False,
    }
    return search_rank.prior(**{**row, **changes})


def test_the_prior_orders_kinds_of_code():
    cpt1, hcpcs = prior(), prior(kind=categories.HCPCS_LEVEL_II)
    cpt3, cpt2 = prior(kind=categories.CPT_CATEGORY_III), prior(kind=categories.CPT_CATEGORY_II)
    assert cpt1 > hcpcs > cpt3 > cpt2


def test_the_prior_favours_curated_priced_codes_with_physician_work():
    assert prior(curated=True) > prior()
    assert prior(status="R") == prior(status="T") == prior()
    for status in ("B", "C", "I", "M", "N", "X", "J", None):
        assert prior(status=status) < prior(), status
    assert prior(work_rvu=Decimal("0.00")) < prior()
    assert prior(work_rvu=None) < prior()


def test_anesthesia_codes_rank_lower_unless_anesthesia_is_asked_for():
    anesthesia = {"category": "Anesthesia", "status": "J", "work_rvu": Decimal("0")}
    surgery = {"work_rvu": Decimal("0")}
    assert prior(**anesthesia) < prior(**surgery) - 0.5
    assert prior(**anesthesia, anesthesia=True) == prior(**surgery, anesthesia=True)


# --- Text scores (the simple search) ------------------------------------------------------------


def match(typed):
    return search_rank.TextMatch(search_terms.terms(search_terms.words_of(typed)), typed)


def test_terms_are_found_at_word_starts_or_as_short_forms():
    knee = match("mri knee")
    assert knee.found("Mri jnt of lwr extre w/o dye") == [True, True]
    assert knee.found("Mri lower extremity w/o dye") == [True, False]  # not a joint
    assert knee.found("Njx cntrst kne arthg/ct/mri") == [False, True]  # "a/b" is one token
    assert match("colonoscopy").found("Diagnostic colonoscopy") == [True]
    assert match("oscopy").found("Diagnostic colonoscopy") == [False]  # not a word start
    assert match("e/m level 4").found("established patient E/M level 4") == [True, True, True]


def test_trigrams_and_similarity_are_those_of_pg_trgm():
    assert search_rank.trigrams("Cat") == {"  c", " ca", "cat", "at "}
    same = search_rank.trigrams("knee replacement")
    assert search_rank.similarity(same, same) == 1.0
    assert search_rank.similarity(same, search_rank.trigrams("qqq")) == 0.0


def test_a_descriptor_holding_every_term_scores_and_one_missing_a_term_does_not():
    knee = match("knee replacement")
    assert knee.descriptor_score("Total knee arthroplasty", "") is None
    assert knee.descriptor_score("Revision of knee joint", "Knee replacement revision") > 1.0


def test_the_best_synonym_line_is_the_closest_one_holding_every_term():
    lines = ["total knee arthroplasty", "TKA", "total knee replacement", "knee replacement"]
    line, score = match("knee replacement").best_synonym(lines)
    assert line == "knee replacement" and score > 2.0
    assert match("tka").best_synonym(lines)[0] == "TKA"
    assert match("knee").best_synonym(lines)[0] == "knee replacement"
    assert match("hip").best_synonym(lines) == (None, None)
