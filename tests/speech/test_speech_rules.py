"""The rules of issue 22, one category at a time, on sentences written for these tests."""

from __future__ import annotations

import tomllib

import pytest

from audiolesson.speech import Unsure, lexicon_from_say, speech_language, spoken_form, unsure


def said(text: str, language: str = "en-US") -> str:
    return spoken_form(text, language)


# --- the locale switch ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "us", "gb"),
    [
        ("It weighs 345 kg.", "It weighs three hundred forty-five kilograms.",
         "It weighs three hundred and forty-five kilograms."),
        ("The lake froze at −6.", "The lake froze at negative six.",
         "The lake froze at minus six."),
        ("She was born in 2004.", "She was born in two thousand four.",
         "She was born in two thousand and four."),
        ("Cut 3 m of rope.", "Cut three meters of rope.", "Cut three metres of rope."),
        ("Pour 0.5 L in.", "Pour zero point five liters in.", "Pour zero point five litres in."),
        ("Now dx/dt tells us the speed.", "Now d x d t tells us the speed.",
         "Now d x by d t tells us the speed."),
        ("The 12th of 101 runners.", "The twelfth of one hundred one runners.",
         "The twelfth of one hundred and one runners."),
        ("It is 5 × 10⁻⁴ K.", "It is five times ten to the negative four kelvin.",
         "It is five times ten to the minus four kelvin."),
    ],
)  # fmt: skip
def test_american_and_british_conventions(text: str, us: str, gb: str) -> None:
    assert said(text, "en-US") == us
    assert said(text, "en-GB") == gb


def test_plain_en_follows_american_conventions() -> None:
    assert said("Add 120 and 5.", "en") == said("Add 120 and 5.", "en-US")
    assert said("On 4/5/2023.", "en") == "On April fifth, twenty twenty-three."


@pytest.mark.parametrize(
    ("text", "indian"),
    [
        ("The fair drew 3,40,000 visitors.", "The fair drew three lakh forty thousand visitors."),
        ("It cost ₹12,00,00,000.", "It cost twelve crore rupees."),
        ("A grant of ₹7.5 lakh came.", "A grant of seven point five lakh rupees came."),
        ("The dam holds 340,000 litres.",
         "The dam holds three hundred and forty thousand litres."),  # Western grouping: as written
    ],
)  # fmt: skip
def test_indian_numbering_where_the_text_groups_digits_that_way(text: str, indian: str) -> None:
    assert said(text, "en-IN") == indian


def test_indian_grouping_elsewhere_is_read_in_western_words() -> None:
    assert (
        said("It drew 3,40,000 people.", "en-US") == "It drew three hundred forty thousand people."
    )


@pytest.mark.parametrize(
    ("language", "setting", "region", "chosen"),
    [
        ("en", None, "US", "en-US"),
        ("en", None, "GB", "en-GB"),
        ("en", "en-IN", "US", "en-IN"),  # the project's setting over the voice
        ("en-GB", "en-IN", "US", "en-GB"),  # the script's own region over both
        ("en", "en", "GB", "en-GB"),  # a setting without a region leaves it to the voice
        ("en", None, None, "en"),
        ("fr", "en-GB", None, "fr"),  # a setting for another language does not apply
    ],
)
def test_which_region_the_spoken_forms_follow(language, setting, region, chosen) -> None:
    assert speech_language(language, setting, region) == chosen


# --- years outside dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Q2 2026 guidance is cautious.", "Q two twenty twenty-six guidance is cautious."),
        ("The FY 2019 report was late.", "The F Y twenty nineteen report was late."),
        ("Aims for FY2024-25 are set.", "Aims for F Y twenty twenty-four to twenty-five are set."),
        ("Our 1999 survey found little.", "Our nineteen ninety-nine survey found little."),
        ("The 1200 students sat the exam.", "The one thousand two hundred students sat the exam."),
        ("A 1500 m race.", "A one thousand five hundred meter race."),
    ],
)  # fmt: skip
def test_years_outside_full_dates(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken", "language"),
    [
        ("It went from $3.05 to $2.99.",
         "It went from three dollars and five cents to two dollars and ninety-nine cents.",
         "en-US"),
        ("Seats cost $30–$45.", "Seats cost thirty to forty-five dollars.", "en-US"),
        ("They lost $7.8M.", "They lost seven point eight million dollars.", "en-US"),
        ("A $40 fine was paid.", "A forty dollar fine was paid.", "en-US"),
        ("They signed a £3 million deal.", "They signed a three million pound deal.", "en-GB"),
        ("It is £1.80 a pint.", "It is one pound eighty a pint.", "en-GB"),
        ("It is ₹3.50 a cup.", "It is three rupees and fifty paise a cup.", "en-IN"),
        ("It costs $5 a day.", "It costs five dollars a day.", "en-US"),
    ],
)  # fmt: skip
def test_money(text: str, spoken: str, language: str) -> None:
    assert said(text, language) == spoken


# --- code-like numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("The page gave a 502 error.", "The page gave a five oh two error."),
        ("HTTPS 301 redirects the old link.", "H T T P S three oh one redirects the old link."),
        ("The seminar moved to Room 1012.", "The seminar moved to Room ten twelve."),
        ("Board Flight 815 now.", "Board Flight eight fifteen now."),
        ("We live at 42 Elm Street.", "We live at forty-two Elm Street."),
        ("Her office is at 77 Mass Ave.", "Her office is at seventy-seven Mass Avenue."),
        (
            "His booking number is 990-1123.",
            "His booking number is nine nine zero, one one two three.",
        ),
        ("The serial is 00451.", "The serial is zero zero four five one."),
        ("The 529 plan pays for college.", "The five twenty-nine plan pays for college."),
    ],
)
def test_code_like_numbers(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- abbreviations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Tutoring runs Tues.–Thurs. at noon.", "Tutoring runs Tuesday to Thursday at noon."),
        ("The lab is shut on Wed.", "The lab is shut on Wednesday."),
        ("The Sun. It rose at dawn.", "The Sun. It rose at dawn."),  # the star, not Sunday
        ("Meet me on King St. at six.", "Meet me on King Street at six."),
        ("A statue of St. Francis stands there.", "A statue of Saint Francis stands there."),
        ("Ask Dr. Ruiz about it.", "Ask Doctor Ruiz about it."),
        ("He lives on Sunset Dr. now.", "He lives on Sunset Drive now."),
        ("It opened in the U.S.", "It opened in the U S."),
        ("The E.U. sets the rules.", "The E U sets the rules."),
        ("She has an M.Sc. in physics.", "She has an M S C in physics."),
        ("It takes approx. 20 min.", "It takes approximately twenty minutes."),
        ("Capt. Ortiz led the crew.", "Captain Ortiz led the crew."),
        ("Due by Dec. 1.", "Due by December first."),
        ("Doors open at 7.30 p.m.", "Doors open at seven thirty p.m."),  # a British time
    ],
)
def test_abbreviations(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Call getItems() first.", "Call get items first."),
        ("The ImageLoader reads files.", "The Image Loader reads files."),
        ("The JSONParser class fails on tabs.", "The jason Parser class fails on tabs."),
        ("Store it in user_id.", "Store it in user id."),
        ("Pretrain on C4 and then on MS2.", "Pretrain on C four and then on M S two."),
        ("Try GPT4 or Llama3 next.", "Try G P T four or Llama three next."),
        ("Use seq2seq for translation.", "Use seq to seq for translation."),
        ("Open report.docx and main.py.", "Open report dot doc X and main dot P Y."),
        ("The site is openai.com/research.", "The site is openai dot com slash research."),
        ("Mail help.desk@example.org today.", "Mail help dot desk at example dot org today."),
        ("Write it in C# or in Q#.", "Write it in C sharp or in Q sharp."),
        ("An RTX3090 is enough.", "An R T X thirty ninety is enough."),
        ("Run YOLOv9 on a Radeon 7900.", "Run yolo v nine on a Radeon seventy-nine hundred."),
    ],
)
def test_identifiers(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- acronyms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("FOMO drives the sales.", "foe-moe drives the sales."),  # a table of words said as words
        ("The CNN and the RNN differ.", "The C N N and the R N N differ."),  # known: spelled
        ("IMPORTANT: read this first.", "important: read this first."),  # an English word
        ("The QZX unit failed.", "The Q Z X unit failed."),  # unknown: spelled
        ("Check the VRAM and DRAM.", "Check the V ram and D ram."),
        ("The ROC curve rises.", "The rock curve rises."),
    ],
)
def test_acronyms_by_the_stated_rule(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- notation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("The gate is sigmoid(Wh + b).", "The gate is sigmoid of W h plus b."),
        ("Pick argmax(p) as the label.", "Pick arg max of p as the label."),
        ("The shares split 5:3:2.", "The shares split five to three to two."),
        ("The clip runs 1:02:15.", "The clip runs one hour, two minutes and fifteen seconds."),
        ("Then Σ is positive definite.", "Then sigma is positive definite."),
        ("The sum Σx counts everything.", "The sum the sum of x counts everything."),
        ("lim_{t→0} f(t) = 2.", "the limit as t approaches zero of f of t equals two."),
        ("As k → ∞, the error vanishes.", "As k approaches infinity, the error vanishes."),
        ("Plot tan θ near zero.", "Plot tan theta near zero."),
        ("Take log₃ 9.", "Take log base three of nine."),
        ("Then ln(x) grows slowly.", "Then the natural log of x grows slowly."),
        ("Then p · q = 0.", "Then p dot q equals zero."),
        ("It writes 900 rows/s.", "It writes nine hundred rows per second."),
        ("Search is O(log n) and insertion is Θ(n).",
         "Search is big O of log n and insertion is big theta of n."),
        ("The kernel is 3 × 3 pixels.", "The kernel is three by three pixels."),
        ("What is 3 × 4?", "What is three times four?"),
        ("The solver is 10x faster.", "The solver is ten times faster."),
        ("There are 6! ways to seat them.", "There are six factorial ways to seat them."),
        ("Then −cos t is the slope.", "Then negative cosine t is the slope."),
        ("Next, log₅ of 125 is 3.", "Next, log base five of one hundred twenty-five is three."),
        ("It holds when det B ≠ 0.", "It holds when the determinant of B is not equal to zero."),
    ],
)  # fmt: skip
def test_notation(text: str, spoken: str) -> None:
    assert said(text) == spoken


# --- what no rule was sure of --------------------------------------------------------------------


def test_unsure_lists_each_kind_once_with_a_lexicon_line() -> None:
    text = (
        "Train on HMQ8K with the FooBar loader, log to run_dir and runs.io/x, then ask ZORB; "
        "HMQ8K again, ⊗ marks it, and the CPU, MATH5K and NASA are known."
    )
    found = unsure(text, "en-US")
    assert [(u.written, u.kind) for u in found] == [
        ("HMQ8K", "letters and digits"),
        ("FooBar", "identifier"),
        ("run_dir", "identifier"),
        ("runs.io/x", "identifier"),
        ("ZORB", "acronym"),
        ("⊗", "symbol"),
    ]
    lines = {u.written: u.lexicon_line() for u in found}
    assert lines["HMQ8K"] == '"HMQ8K" = "H M Q eight K"'
    assert said("MATH5K") == "math five K"  # a word and a size: nothing to ask
    assert lines["ZORB"] == '"ZORB" = "Z O R B"'
    assert lines["⊗"] == '"⊗" = "circled times"'
    for line in lines.values():  # each line is a valid lexicon entry as written
        assert len(tomllib.loads(line)) == 1


def test_what_the_lexicon_decides_is_not_unsure() -> None:
    lexicon = lexicon_from_say({"GSM8K": "G S M eight K"})
    assert unsure("Scores on GSM8K rose.", "en", lexicon) == []
    assert [u.written for u in unsure("Scores on GSM8K rose.", "en")] == ["GSM8K"]


def test_known_words_numerals_and_formulas_are_not_unsure() -> None:
    assert unsure("NASA, the CPU, World War II, NaCl and CO2, NEVER mind.", "en-US") == []


def test_lexicon_lines_escape_quotes() -> None:
    line = Unsure('say "hi"', 'say "hi"', "identifier").lexicon_line()
    assert tomllib.loads(line) == {'say "hi"': 'say "hi"'}


def test_unsure_in_an_unsupported_language_is_empty() -> None:
    assert unsure("GSM8K", "fr") == []
