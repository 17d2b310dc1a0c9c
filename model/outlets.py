"""Outlets: who publishes and who relays, with one reliability from public rating sets.

An outlet is a domain with a name, aliases, a country, a kind (state media, wire agency,
public broadcaster, independent or partisan media) and ratings, each with where it came
from. The ratings are combined into one Beta posterior on "a claim this outlet asserts
holds up", on the same scale as a source's reliability (``model.grades``):

    start from Beta(1, 1); each rating set adds ``weight`` virtual verdicts at its mean
    (Lin et al. 2023: pc1 as the mean, 4 verdicts; MBFC factual reporting: very high
    0.9 ... very low 0.1, 4 verdicts; Baly et al. and the Idiap ground truth, both
    derived from MBFC, 1 verdict each); each EUvsDisinfo case carried by the outlet is
    evidence against it: 0.5 virtual failures a case, at most 6 in all.

``python -m training.outlets --report`` checks the combination: how well each rating set
predicts the others (AUC), and how many claimants and reporting sources resolve.

Lin et al. 2023 allow reuse with citation, so the table derived from it ships
(``outlets/lin2023.json``); MBFC, Baly et al., Idiap and EUvsDisinfo are read where they
lie (``OUTLET_DATA``) when present, and ``OutletTable.loaded`` says which were.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from . import grades
from .names import normalise_name

SHIPPED = Path(__file__).with_name("outlets")
LIN_CITATION = ("Lin, H., Lasser, J., Lewandowsky, S., Cole, R., Gully, A., Rand, D. G., & "
                "Pennycook, G. (2023). High level of correspondence across different news "
                "domain quality rating sets. PNAS Nexus 2(9), pgad286. "
                "doi:10.1093/pnasnexus/pgad286")
# The rating sets: short citation, virtual verdicts each adds, how to read its label.
RATING_SETS = {
    "lin2023": ("Lin et al. 2023", 4.0),
    "mbfc": ("MBFC", 4.0),
    "baly": ("Baly et al. 2018", 1.0),
    "idiap": ("Burdisso et al. 2024", 1.0),
}
MBFC_FACTUAL = {"very-high": 0.9, "very high": 0.9, "high": 0.8, "mostly-factual": 0.65,
                "mostly factual": 0.65, "mixed": 0.45, "low": 0.25, "very-low": 0.1,
                "very low": 0.1}
BALY_FACT = {"high": 0.8, "mixed": 0.45, "low": 0.2}
IDIAP_LABEL = {"1": 0.8, "0": 0.45, "-1": 0.2, "-2": 0.05}
EUVSDISINFO_PER_CASE, EUVSDISINFO_MOST = 0.5, 6.0
# The kind of outlet -> the source type it is scored as (model/policy.yaml).
KIND_TYPES = {"state_media": "state_media", "wire_agency": "wire_agency",
              "public_broadcaster": "independent_media",
              "independent_media": "independent_media", "partisan_media": "commentator",
              "unknown": "other"}
KIND_WORDS = {"state_media": "state media", "wire_agency": "wire agency",
              "public_broadcaster": "public broadcaster",
              "independent_media": "independent media", "partisan_media": "partisan media",
              "unknown": "outlet of unknown kind"}
_DOMAIN = re.compile(r"(?i)^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.", "en.")
# Government, military and university sites are rated by some sets but are not outlets:
# their claims are the institution's (a source type of its own), never an outlet's.
_NOT_OUTLET_DOMAIN = re.compile(r"(?i)\.(gov|mil|edu)(\.[a-z]{2})?$|\.(gov|gouv|gob|go)\.[a-z]{2}$")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,7}\b")
LONGEST_NAME_WORDS = 6


@dataclass(frozen=True)
class Rating:
    source: str          # a key of RATING_SETS, or "euvsdisinfo"
    value: float         # the mean it stands for, 0..1 (EUvsDisinfo: the cases' count)
    label: str           # as the rating set says it: "0.34", "mixed", "12 cases"

    def as_dict(self) -> dict:
        citation = RATING_SETS.get(self.source, ("EUvsDisinfo",))[0]
        return {"source": self.source, "citation": citation, "value": self.value,
                "label": self.label}


@dataclass(eq=False)   # one outlet is one object: compared by identity
class Outlet:
    domain: str
    name: str
    aliases: list = field(default_factory=list)
    country: str | None = None
    kind: str = "unknown"
    ratings: list = field(default_factory=list)

    @property
    def rated(self) -> bool:
        return any(r.source in RATING_SETS for r in self.ratings)

    @property
    def source_type(self) -> str:
        return KIND_TYPES.get(self.kind, "other")

    def beta(self) -> tuple[float, float]:
        """The ratings combined into Beta(a, b) pseudo-counts (see the module's text)."""
        a = b = 1.0
        for rating in self.ratings:
            if rating.source in RATING_SETS:
                weight = RATING_SETS[rating.source][1]
                a, b = a + weight * rating.value, b + weight * (1.0 - rating.value)
            elif rating.source == "euvsdisinfo":
                b += min(EUVSDISINFO_PER_CASE * rating.value, EUVSDISINFO_MOST)
        return a, b

    def reliability(self) -> grades.Reliability | None:
        if not self.rated:
            return None
        a, b = self.beta()
        return grades.reliability(a, b, 0, 0, self.source_type)

    def summary(self) -> str:
        """"state media; outlet rating 0.34 of 1, Lin et al. 2023" or "... unrated"."""
        kind = KIND_WORDS.get(self.kind, "outlet")
        reliability = self.reliability()
        if reliability is None:
            return f"{kind}; unrated"
        cited = ", ".join(RATING_SETS[r.source][0] for r in self.ratings
                          if r.source in RATING_SETS)
        cases = sum(int(r.value) for r in self.ratings if r.source == "euvsdisinfo")
        against = f"; {cases} EUvsDisinfo cases" if cases else ""
        return f"{kind}; outlet rating {reliability.mean:.2f} of 1, {cited}{against}"

    def as_dict(self) -> dict:
        reliability = self.reliability()
        return {"domain": self.domain, "name": self.name, "aliases": list(self.aliases),
                "country": self.country, "kind": self.kind,
                "ratings": [r.as_dict() for r in self.ratings],
                "reliability": reliability.as_dict() if reliability else None}

    def resolved(self) -> dict:
        """What a request carries of its outlet once resolved (model.inputs reads it)."""
        reliability = self.reliability()
        return {"domain": self.domain, "name": self.name, "kind": self.kind,
                "rated": reliability is not None,
                "mean": reliability.mean if reliability else None,
                "beta": list(self.beta()) if reliability else None,
                "summary": self.summary()}


def host_of(text: str) -> str | None:
    """The outlet domain a URL or bare domain names ("https://www.tass.com/x" -> "tass.com")."""
    text = str(text).strip()
    if "://" in text:
        try:
            host = urlsplit(text).hostname or ""
        except ValueError:
            return None
    else:
        host = text.split("/", 1)[0]
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    return host if _DOMAIN.match(host) else None


class OutletTable:
    """Outlets by domain and by normalised name or alias."""

    def __init__(self, outlets: list[Outlet], platforms=(), platform_names=(),
                 loaded=(), distinctive=()):
        self.by_domain: dict[str, Outlet] = {}   # each domain of an outlet, aliases too
        self.by_name: dict[str, Outlet] = {}
        self.by_label: dict[str, Outlet] = {}   # "kron4" of kron4.com, "wisn" of wisn.com
        self.platforms = frozenset(platforms)
        self.platform_names = frozenset(normalise_name(n) for n in platform_names)
        self.loaded = list(loaded)
        # Single words that may name an outlet inside longer text ("CNN report").
        self.distinctive = frozenset(distinctive)
        for outlet in outlets:
            self.add(outlet)

    def add(self, outlet: Outlet) -> None:
        if _NOT_OUTLET_DOMAIN.search(outlet.domain) or outlet.domain in self.platforms:
            return
        self.by_domain.setdefault(outlet.domain, outlet)
        for alias in outlet.aliases:
            if _DOMAIN.match(alias):
                self.by_domain.setdefault(alias.lower(), outlet)
        label = outlet.domain.split(".")[0]
        if len(label) >= 3 and label not in self.platform_names:
            self.by_label.setdefault(label, outlet)
        for name in (outlet.name, *outlet.aliases, outlet.domain):
            key = normalise_name(name)
            if key and key not in self.platform_names:
                self.by_name.setdefault(key, outlet)

    def __len__(self) -> int:
        return len({id(outlet) for outlet in self.by_domain.values()})

    def get(self, domain_or_url: str) -> Outlet | None:
        """The outlet of a domain (or a URL's host); a subdomain finds its parent."""
        host = host_of(domain_or_url)
        while host and host.count(".") >= 1:
            if host in self.platforms:
                return None
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.split(".", 1)[1]
        return None

    def find(self, text: str | None) -> Outlet | None:
        """An outlet named by ``text``: a URL, a domain, a name or alias, or a name inside it
        ("News organisation Al Jazeera"). Social platforms never resolve."""
        if not text or not str(text).strip():
            return None
        text = str(text)
        if "://" in text:
            return self.get(text)
        if _DOMAIN.match(text.strip()):
            found = self.get(text)
            if found is not None or text.strip().lower().split(".")[0] in self.platforms:
                return found
        key = normalise_name(text)
        if not key or key in self.platform_names:
            return None
        if key in self.by_name:
            return self.by_name[key]
        if key.replace(" ", "") in self.by_label:
            return self.by_label[key.replace(" ", "")]
        words = key.split()
        for size in range(min(LONGEST_NAME_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                piece = " ".join(words[start:start + size])
                if (size > 1 or piece in self.distinctive) and piece in self.by_name:
                    return self.by_name[piece]
        # A call sign or acronym written in capitals inside the text ("WISN-TV Upfront").
        for word in _ACRONYM.findall(text):
            found = self.by_name.get(word.lower()) or self.by_label.get(word.lower())
            if found is not None:
                return found
        return None

    def search(self, query: str, limit: int = 20) -> list[Outlet]:
        """Outlets whose domain, name or an alias starts with the query, then those that
        contain it; each once, at most ``limit``."""
        key = normalise_name(query)
        found: dict[int, Outlet] = {}
        if not key:
            return []
        for test in (str.startswith, str.__contains__):
            for name, outlet in self.by_name.items():
                if len(found) >= limit:
                    return list(found.values())
                if id(outlet) not in found and test(name, key):
                    found[id(outlet)] = outlet
        return list(found.values())


# -- loading ------------------------------------------------------------------------

def _named(path: Path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    outlets = [Outlet(str(o["domain"]).lower(), str(o["name"]),
                      [str(a) for a in o.get("aliases") or []], o.get("country"),
                      o.get("kind", "unknown")) for o in raw.get("outlets") or []]
    return raw, outlets


def _lin(path: Path) -> dict[str, float]:
    return json.loads(path.read_text(encoding="utf-8"))["pc1"]


def _mbfc(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("sources") or [], data.get("aliases") or {}


def _csv_rows(path: Path, **options):
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, **options)


def _euvsdisinfo_counts(path: Path, table: OutletTable) -> dict[str, int]:
    """Cases per outlet: each case's "+"-separated outlet names, "TASS - Russian" read as
    "TASS"; names that resolve to no outlet are left out."""
    counts: dict[str, int] = {}
    cache: dict[str, Outlet | None] = {}
    for row in _csv_rows(path):
        hit = set()
        for name in (row.get("outlets") or "").split("+"):
            name = name.split(" - ")[0].strip()
            if name not in cache:
                cache[name] = table.find(name)
            if cache[name] is not None:
                hit.add(cache[name].domain)
        for domain in hit:
            counts[domain] = counts.get(domain, 0) + 1
    return counts


def load_outlets(outlet_data: str | Path | None = None,
                 shipped: str | Path = SHIPPED) -> OutletTable:
    """The shipped table (names, Lin et al. 2023), plus the rating sets found under
    ``outlet_data`` (a datasets folder laid out as ../shared/datasets).

    Read once per process and path (a second call returns the same table): gunicorn's
    master reads it before it forks, so each worker starts with it.
    """
    return _load(str(outlet_data or ""), str(shipped))


@lru_cache(maxsize=4)
def _load(outlet_data: str, shipped: str) -> OutletTable:
    shipped = Path(shipped)
    raw, named = _named(shipped / "names.yaml")
    platforms = [str(p).lower() for p in raw.get("platforms") or []]
    distinctive = {normalise_name(n) for o in named for n in (o.name, *o.aliases)
                   if len(normalise_name(n)) >= 3 and " " not in normalise_name(n)}
    outlets = {o.domain: o for o in named}
    # Other domains of a named outlet (tass.ru of TASS): their ratings are the outlet's.
    canonical = {alias.lower(): o.domain for o in named for alias in o.aliases
                 if _DOMAIN.match(alias)}

    def outlet_of(domain: str, name: str | None = None) -> Outlet:
        domain = canonical.get(domain, domain)
        return outlets.setdefault(domain, Outlet(domain, name or domain))

    def rate(outlet: Outlet, rating: Rating) -> None:
        # One rating per set: a named outlet's own domain is read first.
        if all(r.source != rating.source for r in outlet.ratings):
            outlet.ratings.append(rating)

    loaded = ["names"]
    lin = shipped / "lin2023.json"
    if lin.is_file():
        for domain, pc1 in sorted(_lin(lin).items(), key=lambda item: item[0] in canonical):
            rate(outlet_of(domain), Rating("lin2023", float(pc1), f"{float(pc1):.2f}"))
        loaded.append("lin2023")
    base = Path(outlet_data) if outlet_data else None
    if base is not None and base.is_dir():
        mbfc = base / "mbfc-sources" / "mbfc_combined_v5.json"
        if mbfc.is_file():
            sources, aliases = _mbfc(mbfc)
            for item in sorted(sources, key=lambda item: str(item.get("domain")) in canonical):
                domain = str(item.get("domain") or "").lower()
                level = MBFC_FACTUAL.get(str(item.get("reporting") or "").lower())
                if not domain or domain in platforms:
                    continue
                outlet = outlet_of(domain, item.get("name"))
                if outlet.name == outlet.domain and item.get("name"):
                    outlet.name = item["name"]
                elif item.get("name") and item["name"] not in (outlet.name, *outlet.aliases):
                    outlet.aliases.append(item["name"])
                if level is not None:
                    rate(outlet, Rating("mbfc", level, str(item["reporting"])))
            for alias, main in aliases.items():
                main = canonical.get(main, main)
                if main in outlets and alias not in outlets[main].aliases:
                    outlets[main].aliases.append(alias)
            loaded.append("mbfc")
        idiap = base / "news-media-reliability-idiap"
        if (idiap / "golden_truth_dataset.csv").is_file():
            for row in _csv_rows(idiap / "golden_truth_dataset.csv"):
                domain = canonical.get(row["domain"].lower(), row["domain"].lower())
                if domain in outlets and row["reliability_label"] in IDIAP_LABEL:
                    rate(outlets[domain], Rating("idiap", IDIAP_LABEL[row["reliability_label"]],
                                                 row["reliability_label"]))
            loaded.append("idiap")
        if (idiap / "mbfc.csv").is_file():
            for row in _csv_rows(idiap / "mbfc.csv"):
                outlet = outlets.get(row["source"].lower())
                if outlet is not None and outlet.country is None and row.get("country"):
                    outlet.country = row["country"]
        baly = base / "news-media-reliability-baly" / "emnlp18" / "corpus.tsv"
        if baly.is_file():
            for row in _csv_rows(baly, delimiter="\t"):
                domain = row["source_url_normalized"].lower()
                domain = canonical.get(domain, domain)
                if domain in outlets and row["fact"] in BALY_FACT:
                    rate(outlets[domain], Rating("baly", BALY_FACT[row["fact"]], row["fact"]))
            loaded.append("baly")
    table = OutletTable(list(outlets.values()), platforms, raw.get("platform_names") or [],
                        loaded, distinctive)
    if base is not None and base.is_dir():
        posts = base / "euvsdisinfo-cknabs" / "posts.csv"
        if posts.is_file():
            for domain, cases in _euvsdisinfo_counts(posts, table).items():
                table.by_domain[domain].ratings.append(
                    Rating("euvsdisinfo", float(cases), f"{cases} cases"))
            table.loaded.append("euvsdisinfo")
    return table


EMPTY = OutletTable([])


# -- requests -----------------------------------------------------------------------

MEDIA_TYPES = frozenset(KIND_TYPES.values()) - {"other"}


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def source_outlet(source: dict, table: OutletTable) -> Outlet | None | bool:
    """The outlet a request's source is: by ``url`` or ``domain`` (an unknown domain is an
    unrated outlet), or by a name that is exactly an outlet's name or alias when no other
    kind of source is given. None when the source is not an outlet."""
    for key in ("url", "domain"):
        if source.get(key):
            host = host_of(source[key])
            found = table.get(source[key])
            if found is not None:
                return found
            if host and host.split(".")[0] not in table.platforms and host not in table.platforms:
                return Outlet(host, source.get("name") or host,
                              kind=_kind_of_type(source.get("type")))
            return None
    if source.get("type") and source["type"] not in MEDIA_TYPES:
        return None
    name = normalise_name(source.get("name") or "")
    return table.by_name.get(name) if name else None


def _kind_of_type(source_type: str | None) -> str:
    if source_type in KIND_TYPES:
        return source_type
    return next((k for k, t in KIND_TYPES.items() if t == source_type and k != "unknown"),
                "unknown")


def resolve(request: dict, table: OutletTable, policy) -> dict:
    """The request with its outlets resolved: ``source.outlet`` when the source is an
    outlet, ``context.relays`` (one entry per relay, None where unknown), each with what
    ``model.inputs`` reads. The request given is not changed."""
    source = dict(request.get("source") or {})
    context = dict(request.get("context") or {})
    outlet = source_outlet(source, table)
    if outlet is not None:
        if not source.get("type"):
            source["type"] = outlet.source_type
        if not source.get("name"):
            source["name"] = outlet.name
        resolved = outlet.resolved()
        kind = policy.source_type(source["type"])
        resolved["rating_shift"] = (_log_odds(resolved["mean"]) - _log_odds(kind.mean)
                                    if resolved["rated"] else 0.0)
        source["outlet"] = resolved
    relays = []
    for hop in context.get("relayed_by") or []:
        if not str(hop).strip():
            continue
        found = table.find(str(hop))
        entry = found.resolved() if found is not None else None
        if entry is not None:
            entry["cost"] = policy.relay_cost(entry["mean"])
        relays.append(entry)
    context["relays"] = relays
    return {**request, "source": source, "context": context}
