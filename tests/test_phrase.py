"""core.i18n.Phrase: core text the GUI translates is its English as any str (the command line and
files print it unchanged), translates template and nested values with the function given, fills
the values in after, and survives a copy or pickle whole."""

import copy
import pickle

from core.i18n import Phrase


def test_a_phrase_is_its_english_and_translates_with_its_values():
    prompt = Phrase("Enrolment", "turn your head a little to the left")
    said = Phrase("Enrolment", "got it; now {prompt}", prompt=prompt)
    assert said == "got it; now turn your head a little to the left" and f"{said}!" == f"{str(said)}!"
    upper = {"got it; now {prompt}": "NOW {prompt}", "turn your head a little to the left": "LEFT"}
    assert said.text(lambda context, text: upper[text]) == "NOW LEFT"
    assert Phrase("Reports", "{a} of {b}", a=1, b=3).text(lambda context, text: "{b}: {a}") == "3: 1"
    for again in (copy.deepcopy(said), pickle.loads(pickle.dumps(said))):
        assert again == said and again.template == said.template and again.text(lambda c, t: upper[t]) == "NOW LEFT"
