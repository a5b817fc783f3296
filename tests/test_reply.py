"""polite reply: classification, the JSON contract, options, variables, user
templates, security, golden replies and what a good reply is."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from assistant.reply import GENUINE, INTENTS, TONES, classify, write
from assistant.rules import CATEGORIES
from assistant.templating import Templates

from .conftest import CORPUS, DATA, LABELLED_SETS, load_jsonl

CASES = Path(__file__).resolve().parent / "cases" / "replies"
REPLY_CASES = sorted(p for p in CASES.iterdir() if p.is_dir())

# Messages written for these tests (not from any corpus), by the kind they must get.
MESSAGES: dict[str, list[str]] = {
    "follow_back": [
        "Hey! Just followed your account, would love a follow back :)",
        "followed u yesterday, plz follow me back??",
        "Hi Ines, I started following you on Twitter this week. Mind following me back?",
        "F4F? I already followed you 🙏",
    ],
    "like_for_like": [
        "I liked all of your recent photos, now like mine too!",
        "Hi. I liked ur PAGE through LINKEDIN GROUP. Expecting ur LIKE and SUPPORT.",
        "Dropped a like on every post on your page. Return the likes when you can!",
        "l4l? I liked your last five pics 💕",
    ],
    "endorsement_swap": [
        "I endorsed you, now endorse me back.",
        "Hi Omar, I just endorsed you for project management. Could you endorse me for marketing?",
        "Endorsed you for three skills on LinkedIn, please do the same for me.",
    ],
    "recommendation_from_stranger": [
        "We've never worked together, but could you write me a LinkedIn recommendation? It would help my job search.",
        "Hi, I came across your profile. Would you be my reference for a design role? We haven't met.",
        "Could you write a short testimonial for my coaching site? We haven't worked together but I follow your posts.",
    ],
    "share_for_share": [
        "I retweeted your launch thread, can you retweet mine?",
        "Shared your article with my followers yesterday. Please share my new video too!",
        "I reposted your webinar on Monday, so please repost my workshop announcement.",
    ],
    "review_swap": [
        "We left your cafe a five star review on Google. Could you leave one for our bakery?",
        "I rated your app 5 stars on the App Store, please rate mine as well.",
        "Left a glowing review on your Etsy shop, would you review mine back?",
    ],
    "comment_or_subscribe_swap": [
        "I subscribed to your channel, please subscribe to mine!",
        "Commented on your last three posts. Comment on mine back?",
        "Just subscribed to your newsletter, would you subscribe to mine in return?",
    ],
    "obligation_pressure": [
        "After all the times I've shared your work, you owe me a share.",
        "I've supported you for months. The least you could do is like my page.",
        "I introduced you to two clients last year. Time to return the favour: upvote my launch.",
    ],
    "public_callout": [
        "Shoutout to @dana_designs for taking my follow and never following back. Classy.",
        "Reminder to everyone: @kellybakes took my five-star review and never reviewed us back.",
        "Everyone look: @leo.codes took my follow and never followed back. Noted.",
    ],
    GENUINE: [
        "Hi Lee, thanks for the great talk yesterday. Could you send me the slides?",
        "Hi Sam, would you be interested in speaking at our meetup in March? We'd love to have you.",
        "Thanks for the endorsement, that was kind of you!",
        "We worked together at Acme for three years. Would you be a reference for my new role?",
        "Quick reminder that the quarterly report is due Friday.",
        "Could you review my pull request when you have a moment? Happy to follow up on a call.",
    ],
}
# Phrasebook gaps found while writing these tests: real demands that are not detected yet.
MISSED = {
    "share_for_share": "Gave you a shoutout in my story, shout me out back? 🙌",
    "public_callout": "Funny how some people here accept every like and never return one. You know who you are @marco.",
}

# What each kind's reply must name (the thing that was asked for).
THING = {
    "follow_back": r"follow",
    "like_for_like": r"\blik|\bpage",
    "endorsement_swap": r"endors",
    "recommendation_from_stranger": r"recommend|reference|testimonial",
    "share_for_share": r"shar|retweet|repost|shout",
    "review_swap": r"review",
    "comment_or_subscribe_swap": r"comment|subscri",
    "obligation_pressure": r"favour|favor|in return",
    "public_callout": r"follow|\blik|shar",
}
THANKS = re.compile(r"\bthank|\bappreciate|\bglad you", re.I)
DECLINE = re.compile(r"\b(?:won't|will not|can't|cannot|don't|do not|pass on)\b", re.I)
# A promise to give the thing back: "I'll follow you", "happy to endorse you", "I'll share yours too".
PROMISE = re.compile(
    r"\b(?:I'll|I will|I'm happy to|happy to|glad to|I'd love to|I can)\s+(?:also\s+|gladly\s+)?"
    r"(?:follow|like|endorse|share|retweet|repost|review|rate|subscribe|comment|recommend|vouch|shout)\b"
    r"|\b(?:follow|like|endorse|shar|retweet|repost|review|rat|subscrib|recommend)\w*\s+(?:to\s+)?"
    r"(?:you|yours|your\s+\w+)(?:\s+(?:back|too|in return|as well))?\b",
    re.I,
)
NEGATION = re.compile(r"\b(?:won't|will not|can't|cannot|don't|do not|not|never|only|pass on|if)\b", re.I)


def promise(text: str) -> str | None:
    """The first sentence that promises reciprocation, if any."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if PROMISE.search(sentence) and not NEGATION.search(sentence):
            return sentence
    return None


INSULTS = re.compile(
    r"\b(?:blackmail\w*|shakedown\w*|entitle\w*|pathetic|spam\w*|sham(?:e|ed|eful|eless|ing)\b|desperat\w*|"
    r"beg(?:s|ged|ging)?\b|quid pro quo|integrity|ridiculous\w*|whin\w*)",
    re.I,
)


def words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"POLITE_CACHE_DIR": str(tmp_path_factory.mktemp("reply-cache"))}


@pytest.fixture
def run(polite, shared_cache):  # type: ignore[no-untyped-def]
    def go(*args: str, input: str | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
        return polite(*args, input=input, cwd=cwd, env=shared_cache)

    return go


def reply_json(run, text: str, *args: str, cwd: Path | None = None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    result = run("reply", "--format", "json", *args, input=text, cwd=cwd)
    assert result.returncode == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# ------------------------------------------------------------- classification
@pytest.mark.parametrize(
    ("kind", "text"), [(kind, text) for kind, texts in MESSAGES.items() for text in texts], ids=lambda v: v[:40]
)
def test_classification(ruleset, kind: str, text: str) -> None:  # type: ignore[no-untyped-def]
    detected, findings, _doc = classify(text, ruleset)
    assert detected == kind
    assert bool(findings) == (kind != GENUINE)


@pytest.mark.parametrize("name", ["dev", *LABELLED_SETS])
def test_kind_accuracy_on_labelled_requests(ruleset, name: str) -> None:  # type: ignore[no-untyped-def]
    path = CORPUS / "requests.jsonl" if name == "dev" else DATA / f"{name}_requests.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not available in this checkout")
    rows = load_jsonl(path)
    wrong = [(row["id"], row["kind"], classify(str(row["text"]), ruleset)[0]) for row in rows]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert 1 - len(wrong) / len(rows) >= 0.95, wrong
    assert not [w for w in wrong if GENUINE in w[1:]], wrong  # never decline a genuine message, never miss a demand


@pytest.mark.parametrize(("kind", "text"), sorted(MISSED.items()))
def test_classification_of_former_gaps(ruleset, kind: str, text: str) -> None:  # type: ignore[no-untyped-def]
    assert classify(text, ruleset)[0] == kind


@pytest.mark.parametrize("text", MESSAGES[GENUINE][:3])
def test_genuine_messages_get_no_decline(run, text: str) -> None:  # type: ignore[no-untyped-def]
    data = reply_json(run, text)
    assert data["kind"] == "genuine" and data["is_shakedown"] is False
    assert data["reply"] is None and data["alternatives"] == []
    plain = run("reply", input=text)
    assert (plain.returncode, plain.stdout) == (0, "")
    assert "does not look like a demand" in plain.stderr and plain.stderr.count("\n") == 1


def test_kind_forces_a_decline_and_is_checked(run) -> None:  # type: ignore[no-untyped-def]
    genuine = MESSAGES[GENUINE][0]
    data = reply_json(run, genuine, "--kind", "review_swap")
    assert data["kind"] == "review_swap" and data["is_shakedown"] is True
    assert data["detected_kind"] == "genuine" and "review" in str(data["reply"])
    forced = reply_json(run, "I followed you, follow me back!", "--kind", "endorsement_swap")
    assert forced["detected_kind"] == "follow_back" and "endors" in str(forced["reply"])
    assert reply_json(run, "I followed you, follow me back!", "--kind", "genuine")["reply"] is None
    bad = run("reply", "--kind", "nope", input="I followed you, follow me back!")
    assert bad.returncode == 2 and "unknown kind 'nope'; use one of: follow_back," in bad.stderr


# ---------------------------------------------------------------------- json
def test_json_contract(run) -> None:  # type: ignore[no-untyped-def]
    data = reply_json(run, "I endorsed you, now endorse me back.", "--to", "Dana", "--tone", "firm")
    assert {"kind", "is_shakedown", "tone", "reply", "alternatives"} <= set(data)
    assert (data["kind"], data["is_shakedown"], data["tone"]) == ("endorsement_swap", True, "firm")
    assert isinstance(data["reply"], str) and data["reply"].startswith("Hi Dana,\n")
    alternatives = data["alternatives"]
    assert isinstance(alternatives, list) and len(alternatives) == 2
    assert all(isinstance(a, str) and a.startswith("Hi Dana,") for a in alternatives)
    options = data["options"]
    assert [o["intent"] for o in options] == list(INTENTS)  # type: ignore[union-attr]
    assert [o["text"] for o in options] == [data["reply"], *alternatives]  # type: ignore[union-attr]


def test_plain_output_is_the_first_option_and_all_prints_three(run) -> None:  # type: ignore[no-untyped-def]
    text = "I followed you, follow me back!"
    data = reply_json(run, text, "--tone", "brief", "--platform", "LinkedIn")
    plain = run("reply", "--tone", "brief", "--platform", "LinkedIn", input=text)
    assert (plain.returncode, plain.stderr) == (0, "")
    assert plain.stdout == data["reply"]
    every = run("reply", "--all", "--tone", "brief", "--platform", "LinkedIn", input=text).stdout
    labels = ["decline and offer something real", "decline and stay in touch", "a short decline"]
    assert every == "\n".join(
        f"--- option {n}: {label} ---\n{option['text']}"  # type: ignore[index]
        for n, (label, option) in enumerate(zip(labels, data["options"], strict=True), 1)  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ options
def common_prefix(texts: list[str]) -> str:
    size = 0
    while all(len(t) > size and t[size] == texts[0][size] for t in texts):
        size += 1
    return texts[0][:size]


def differing_parts(texts: list[str]) -> list[str]:
    prefix = common_prefix(texts)
    suffix = common_prefix([t[::-1] for t in texts])[::-1]
    return [t[len(prefix) : len(t) - len(suffix)] for t in texts]


@pytest.mark.parametrize(("kind", "tone"), list(itertools.product(CATEGORIES, TONES)))
def test_three_options_differ_in_intent(kind: str, tone: str) -> None:
    options = write(Templates(()), f"reply/{kind}", tone, 0, {"to": "Dana", "from_name": None, "platform": None})
    assert [intent for intent, _ in options] == list(INTENTS)
    parts = differing_parts([text for _, text in options])
    assert all(words(p) >= 3 for p in parts), parts
    bags = [set(re.findall(r"[\w']+", p.lower())) for p in parts]
    for a, b in itertools.combinations(bags, 2):
        assert len(a & b) / len(a | b) < 0.5, parts  # different sentences, not reworded ones
    offer, connect, short = parts
    assert words(short) <= min(words(offer), words(connect))
    assert re.search(r"\b(?:send|if|someone|glad to|I'll)\b", offer, re.I), offer


# ------------------------------------------------------------------ variables
def test_to_overrides_and_names_come_from_the_message(run) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "Hi, I started following you. Mind following me back?\n\nThanks,\nInes\n": "Ines",
        "Hi, I started following you. Mind following me back?\nThanks,\nInes Park\n": "Ines",
        "Hey, it's Ken from the meetup! I followed you, follow me back?": "Ken",
        "Omar here, I endorsed you. Endorse me back?": "Omar",
        "hiii followed u!! follow back?? xx Bella": "Bella",
        "I endorsed you. Endorse me back?\n\nThe Paper Loop team\n": None,
        "I endorsed you. Endorse me back?": None,
    }
    for text, name in cases.items():
        data = reply_json(run, text)
        assert data["to"] == name, text
        greeting = f"Hi {name},\n" if name else "Hi there,\n"
        assert str(data["reply"]).startswith(greeting), (text, data["reply"])
    forced = reply_json(run, "Hi, I started following you. Follow me back?\n\nThanks,\nInes\n", "--to", "Dana")
    assert forced["to"] == "Dana" and str(forced["reply"]).startswith("Hi Dana,\n")


def test_from_signs_the_reply(run) -> None:  # type: ignore[no-untyped-def]
    text = "I endorsed you, now endorse me back."
    for tone, signoff in (("warm", "All the best,"), ("brief", "Best,"), ("firm", "Regards,")):
        signed = reply_json(run, text, "--from", "Alex Kim", "--tone", tone)
        for option in [signed["reply"], *signed["alternatives"]]:  # type: ignore[misc]
            assert str(option).endswith(f"\n\n{signoff}\nAlex Kim\n")
        unsigned = reply_json(run, text, "--tone", tone)
        assert str(unsigned["reply"]).endswith(f"\n\n{signoff}\n")


def test_platform_is_mentioned_when_staying_in_touch(run) -> None:  # type: ignore[no-untyped-def]
    for tone in ("warm", "brief"):
        data = reply_json(run, "I followed you, follow me back!", "--platform", "Mastodon", "--tone", tone)
        connect = data["options"][1]["text"]  # type: ignore[index]
        assert "Mastodon" in connect
        without = reply_json(run, "I followed you, follow me back!", "--tone", tone)["options"][1]["text"]  # type: ignore[index]
        assert "Mastodon" not in without and " on ." not in without and "None" not in without


def test_config_supplies_reply_defaults(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "polite.toml").write_text(
        '[reply]\nfrom = "Robin"\ntone = "firm"\nplatform = "Bluesky"\nseed = 1\n', encoding="utf-8"
    )
    data = reply_json(run, "I followed you, follow me back!", cwd=tmp_path)
    assert data["tone"] == "firm" and str(data["reply"]).endswith("Regards,\nRobin\n")
    assert reply_json(run, "I followed you, follow me back!", "--tone", "brief", "--from", "Sky", cwd=tmp_path)[
        "reply"
    ].endswith("Best,\nSky\n")  # type: ignore[union-attr]
    assert reply_json(run, "I followed you, follow me back!", "--isolated", cwd=tmp_path)["tone"] == "warm"


def test_seed_is_deterministic_and_picks_variants(run) -> None:  # type: ignore[no-untyped-def]
    text = "I followed you, follow me back!"
    outputs = {}
    for seed in range(3):
        first = run("reply", "--seed", str(seed), input=text).stdout
        again = run("reply", "--seed", str(seed), input=text).stdout
        assert first == again
        outputs[seed] = first
    assert len(set(outputs.values())) == 3  # the warm wording has variants
    assert run("reply", input=text).stdout == outputs[0]  # no seed means seed 0
    bad = run("reply", "--seed", "x", input=text)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_invalid_tone_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("reply", "--tone", "sarcastic", input="I followed you, follow me back!")
    assert result.returncode == 2 and "sarcastic" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("novalue", "--var needs KEY=VALUE"),
        ("9lives=x", "--var needs KEY=VALUE"),
        ("tone=firm", "'tone' is set with its own option (--tone)"),
        ("seed=3", "'seed' is set with its own option (--seed)"),
    ],
)
def test_bad_vars_exit_2(run, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("reply", "--var", value, input="I followed you, follow me back!")
    assert result.returncode == 2 and message in result.stderr and result.stderr.count("\n") == 1


# ---------------------------------------------------------- named templates
def test_template_renders_without_a_message(run) -> None:  # type: ignore[no-untyped-def]
    for name in ("follow_back", "reply/follow_back"):
        result = run("reply", "--template", name, "--to", "Sam")
        assert result.returncode == 0 and result.stderr == ""
        assert result.stdout.startswith("Hi Sam,\n\n") and "follow" in result.stdout
    data = json.loads(run("reply", "--template", "review_swap", "--format", "json", "--tone", "brief").stdout)
    assert data["kind"] is None and data["is_shakedown"] is None and data["findings"] == []
    assert data["template"] == "reply/review_swap" and "review" in data["reply"]
    missing = run("reply", "--template", "nope")
    assert missing.returncode == 2 and "no template 'reply/nope'" in missing.stderr


@pytest.fixture
def user_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "my-templates"
    (folder / "reply").mkdir(parents=True)
    (folder / "custom.j2").write_text("Hello {{ to or 'friend' }}, about {{ project }}.\n", encoding="utf-8")
    (folder / "shout.j2").write_text("{{ to|upper }} / {{ project|lower }}\n", encoding="utf-8")
    (folder / "outer.j2").write_text('Start. {% include "inner.j2" %}\n', encoding="utf-8")
    (folder / "inner.j2").write_text("{{ not_given_anywhere }}\n", encoding="utf-8")
    (folder / "reply" / "follow_back.j2").write_text(
        "{% include 'reply/_greeting.j2' %}\n\nMy own words about the follow ({{ tone }}, {{ option }}).\n",
        encoding="utf-8",
    )
    (tmp_path / "polite.toml").write_text('templates = ["my-templates"]\n', encoding="utf-8")
    return tmp_path


def test_undefined_variable_names_the_template_and_the_variable(user_templates: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("reply", "--template", "custom", cwd=user_templates)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "polite: error: template 'custom' uses variable 'project'; "
        "pass --var project=VALUE or give it a default in the template\n"
    )
    nested = run("reply", "--template", "outer", cwd=user_templates)
    assert nested.returncode == 2 and "template 'inner' uses variable 'not_given_anywhere'" in nested.stderr
    ok = run("reply", "--template", "custom", "--var", "project=Atlas", "--to", "Sam", cwd=user_templates)
    assert ok.stdout == "Hello Sam, about Atlas.\n"


def test_user_templates_override_shipped_ones_by_name(user_templates: Path, run) -> None:  # type: ignore[no-untyped-def]
    data = reply_json(run, "I followed you, follow me back!", "--to", "Kai", cwd=user_templates)
    assert [o["text"] for o in data["options"]] == [  # type: ignore[union-attr]
        f"Hi Kai,\nMy own words about the follow (warm, {intent}).\n" for intent in INTENTS
    ]
    other = reply_json(run, "I endorsed you, now endorse me back.", cwd=user_templates)
    assert "endors" in str(other["reply"])  # kinds without a user template still use the shipped one
    listed = run("templates", "list", "--format", "json", cwd=user_templates)
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["reply/follow_back"]["path"] == str(user_templates / "my-templates" / "reply" / "follow_back.j2")
    assert rows["custom"]["variables"] == ["project", "to"]
    assert rows["reply/endorsement_swap"]["tones"] == list(TONES)


def test_templates_list_and_show(run) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(run("templates", "list", "--format", "json").stdout)
    names = {row["name"] for row in rows}
    assert {f"reply/{kind}" for kind in CATEGORIES} <= names
    assert not any(name.rsplit("/", 1)[-1].startswith("_") for name in names)
    for row in rows:
        if row["name"].startswith("reply/"):
            assert {"to", "from_name", "platform"} <= set(row["variables"]) and row["about"]
    shown = run("templates", "show", "follow_back")
    assert shown.returncode == 0 and '{% include "reply/_body.j2" %}' in shown.stdout
    assert shown.stderr.startswith("# ") and shown.stderr.strip().endswith("follow_back.j2")
    assert run("templates", "show", "nope").returncode == 2


# ------------------------------------------------------------------- security
PAYLOADS = ["{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}", "{{ ''.__class__ }}", "{{ ''.__class__.__mro__ }}"]


def assert_not_evaluated(text: str) -> None:
    assert "49" not in text and "<class" not in text and "xxx" not in text and "object" not in text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_code_in_the_message_is_never_evaluated(run, payload: str) -> None:  # type: ignore[no-untyped-def]
    text = f"{payload}\nHi, it's Dana. I followed you {payload}, follow me back!\n{payload}\n"
    data = reply_json(run, text, "--all")
    assert data["kind"] == "follow_back" and data["to"] == "Dana"
    for option in data["options"]:  # type: ignore[union-attr]
        assert_not_evaluated(option["text"])
    assert payload in "".join(f["text"] for f in data["findings"]) or payload in text  # type: ignore[union-attr]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_code_in_variables_comes_out_literally(user_templates: Path, run, payload: str) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "reply",
        "--to",
        payload,
        "--from",
        payload,
        "--platform",
        payload,
        "--all",
        input="I endorsed you, now endorse me back.",
        cwd=user_templates,
    )
    assert result.returncode == 0
    assert result.stdout.count(f"Hi {payload},\n") == 3
    assert result.stdout.count(f"All the best,\n{payload}\n") == 3 and f"on {payload}." in result.stdout
    assert_not_evaluated(result.stdout.replace(payload, ""))
    custom = run("reply", "--template", "custom", "--to", payload, "--var", f"project={payload}", cwd=user_templates)
    assert custom.stdout == f"Hello {payload}, about {payload}.\n"
    # A template that transforms the values renders through Jinja2: still data, never code.
    shout = run("reply", "--template", "shout", "--to", payload, "--var", f"project={payload}", cwd=user_templates)
    assert shout.stdout == f"{payload.upper()} / {payload.lower()}\n"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "sandbox forbids"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "sandbox forbids"),
        ("{{ cycler.__init__.__globals__.os }}", "sandbox forbids"),
        ("{{ to.__class__.__base__ }}", "sandbox forbids"),
        ("{{ range(10**8)|list }}", "Range too big"),
        ("{% include '/etc/passwd' %}", "no template '/etc/passwd'"),
        ("{% include '../secret.txt' %}", "no template '../secret.txt'"),
        ("{% include 'reply/../../secret.txt' %}", "no template"),
        ("{% extends '/etc/hostname' %}", "no template '/etc/hostname'"),
        ("{% import '../secret.txt' as s %}", "no template '../secret.txt'"),
    ],
)
def test_user_templates_are_sandboxed_and_confined(tmp_path: Path, run, source: str, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "evil.j2").write_text(source + "\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    (tmp_path / "polite.toml").write_text('templates = ["tpl"]\n', encoding="utf-8")
    result = run("reply", "--template", "evil", "--to", "Dana", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("polite: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "TOP SECRET" not in result.stderr and "root:" not in result.stderr


@pytest.mark.parametrize("name", ["../secret", "../../secret", "/etc/passwd", "reply/../../secret"])
def test_template_names_cannot_leave_the_template_folders(tmp_path: Path, run, name: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "secret.j2").write_text("TOP SECRET {{ to }}", encoding="utf-8")
    (tmp_path / "tpl").mkdir()
    (tmp_path / "polite.toml").write_text('templates = ["tpl"]\n', encoding="utf-8")
    result = run("reply", "--template", name, cwd=tmp_path / "tpl")
    assert result.returncode == 2 and "no template" in result.stderr
    assert "TOP SECRET" not in result.stdout + result.stderr


def test_templates_load_only_from_shipped_and_configured_folders(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    for folder in (tmp_path / "templates" / "reply", tmp_path / "reply"):
        folder.mkdir(parents=True)
        (folder / "follow_back.j2").write_text("HIJACKED", encoding="utf-8")
    result = run("reply", input="I followed you, follow me back!", cwd=tmp_path)
    assert result.returncode == 0 and "HIJACKED" not in result.stdout and "follow" in result.stdout
    missing = tmp_path / "other"
    missing.mkdir()
    (missing / "polite.toml").write_text('templates = ["does-not-exist"]\n', encoding="utf-8")
    broken = run("reply", input="I followed you, follow me back!", cwd=missing)
    assert broken.returncode == 2 and "no such template folder" in broken.stderr


# -------------------------------------------------------------- golden replies
def test_golden_replies_cover_every_kind_and_tone() -> None:
    names = {p.name for p in REPLY_CASES}
    assert {f"{kind}-{tone}" for kind in CATEGORIES for tone in TONES} <= names
    assert "genuine-warm" in names


@pytest.mark.parametrize("case", REPLY_CASES, ids=lambda p: p.name)
def test_golden_reply(run, case: Path) -> None:  # type: ignore[no-untyped-def]
    """The expected reply is what plain `polite reply` prints (the JSON's "reply", see
    test_plain_output_is_the_first_option_and_all_prints_three); nothing for a genuine message."""
    args_file = case / "args.txt"
    args = [a for a in args_file.read_text(encoding="utf-8").split("\n") if a] if args_file.exists() else []
    kind, _, tone = case.name.rpartition("-")
    result = run("reply", "--isolated", "--format", "json", str(case / "input.txt"), *args)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["kind"] == kind and data["tone"] == tone
    assert (data["reply"] or "").encode("utf-8") == (case / "expected.txt").read_bytes()
    if kind != GENUINE:
        check_reply(str(data["reply"]), kind, tone, data["to"])  # type: ignore[arg-type]


# -------------------------------------------------------------- reply quality
def check_reply(text: str, kind: str, tone: str, name: str | None) -> None:
    import textstat

    count = words(text)
    assert 25 <= count <= (60 if tone == "brief" else 125), (count, text)
    if name:
        assert name in text
    assert THANKS.search(text), text
    assert DECLINE.search(text), text
    assert promise(text) is None, promise(text)
    assert re.search(THING[kind], text, re.I), (kind, text)
    assert not INSULTS.search(text), INSULTS.search(text)
    assert textstat.flesch_reading_ease(text) >= 60, text
    assert "None" not in text and "{" not in text and "  " not in text


@pytest.mark.parametrize("kind", CATEGORIES)
def test_every_reply_is_a_good_reply(kind: str) -> None:
    templates = Templates(())
    for tone, seed, to, sender, platform in itertools.product(
        TONES, range(4), (None, "Dana", "José María"), (None, "Alex"), (None, "LinkedIn")
    ):
        data = {"to": to, "from_name": sender, "platform": platform}
        for _intent, text in write(templates, f"reply/{kind}", tone, seed, data):
            check_reply(text, kind, tone, to)
            assert text.startswith(f"Hi {to},\n\n" if to else "Hi there,\n\n")


def test_the_quality_checks_catch_bad_replies() -> None:
    """Each check above can fail: every bad reply here breaks exactly one of them."""
    data = {"to": "Dana", "from_name": None, "platform": None}
    good = write(Templates(()), "reply/follow_back", "warm", 0, data)[0][1]
    check_reply(good, "follow_back", "warm", "Dana")
    judgement = "It's not a judgement on you, just how I use my feed."
    bad = [
        good.replace(judgement, "I'll follow you on Mastodon instead."),  # promises reciprocation
        good.replace("Thanks for the follow; I appreciate you thinking of me.", "Hello."),  # no thanks
        good.replace(judgement, "It's not that you seem desperate."),  # insulting
        good.replace("Dana", "there"),  # the name is missing
        "Hi Dana,\n\nThanks for the follow, but I won't be following back.\n\nAll the best,\n",  # too short
        good.replace(
            judgement,
            "Notwithstanding considerable institutional reticence, unreciprocated algorithmic "
            "engagement necessitates comprehensive organisational reconsideration.",
        ),  # hard to read
    ]
    for text in bad:
        with pytest.raises(AssertionError):
            check_reply(text, "follow_back", "warm", "Dana")
    with pytest.raises(AssertionError):
        check_reply(good, "review_swap", "warm", "Dana")  # does not name the review


@pytest.mark.parametrize(
    "sentence",
    [
        "I'll follow you back.",
        "Happy to endorse you too!",
        "I will share your post tomorrow.",
        "Sure, I'll subscribe to your channel as well.",
        "I'd love to review your shop in return.",
        "Liked yours too.",
    ],
)
def test_promise_check_finds_promises(sentence: str) -> None:
    assert promise(f"Thanks for the note. {sentence} Take care.") == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "I won't be following back.",
        "I only endorse skills I've seen first-hand, so I won't endorse you back.",
        "If I ever use your business, I'll write an honest review then, whatever it says.",
        "Send me the link and I'll give it a proper read.",
        "I'm glad to give you my honest take.",
    ],
)
def test_promise_check_leaves_declines_alone(sentence: str) -> None:
    assert promise(f"Thanks for the note. {sentence}") is None


SHIPPED = Path(__file__).resolve().parent.parent / "templates"
SHIPPED_REPLIES = sorted(p.stem for p in (SHIPPED / "reply").glob("[!_]*.j2"))


@pytest.mark.parametrize("name", SHIPPED_REPLIES)
def test_every_shipped_reply_template_renders_with_defaults_and_every_tone(run, name: str) -> None:  # type: ignore[no-untyped-def]
    defaults = run("reply", "--template", name, "--isolated", "--all")
    assert defaults.returncode == 0 and defaults.stdout.count("--- option") == 3
    for tone in TONES:
        data = json.loads(run("reply", "--template", name, "--isolated", "--format", "json", "--tone", tone).stdout)
        assert data["tone"] == tone and len({o["text"] for o in data["options"]}) == 3
