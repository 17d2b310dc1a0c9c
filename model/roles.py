"""Map free-text speaker names, roles and affiliations to source types.

``classify_source(name, role, affiliation)`` returns one of ``SOURCE_TYPES``. The rules
are ordered lists of ``(pattern, type, why)`` read top to bottom, first match wins,
over text normalised by ``model.names.normalise_name``:

1. ``RULES`` over the role (a job title says most about how a speaker speaks);
2. ``KNOWN_SPEAKERS``, then ``RULES``, over the name (organisations name themselves;
   a few recurring public figures are known by name alone);
3. ``AFFILIATION_RULES``, then ``RULES``, over the affiliation (LIAR's party column:
   "republican" makes a politician only when nothing above matched, and a party named
   as an affiliation means a member, not the party speaking);
4. ``OCCUPATION_RULES`` over the role, then the affiliation: private occupations
   ("Businessman", "Author") yield to a party affiliation, because a LIAR speaker
   with a party and a private job is almost always a candidate.

Anything else is ``"other"``. ``training/roles_report.py`` measures coverage on
LIAR and on the Russia-Ukraine claimants; read its tables before changing a rule.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from model.names import normalise_name

SOURCE_TYPES = (
    "state_agency", "state_media", "government_official", "politician",
    "opposition_politician", "exiled_politician", "political_party", "military",
    "armed_group", "wire_agency", "independent_media", "commentator", "ngo",
    "international_org", "academic", "eyewitness", "social_media_account", "anonymous",
    "advocacy_group", "corporation", "other",
)

# normalise_name drops "@"; a handle is itself evidence of a social account.
_HANDLE = re.compile(r"(?<![\w.])@(?=\w)")
_HANDLE_WORD = " atsign "


class Match(NamedTuple):
    type: str
    why: str
    field: str  # "role", "name" or "affiliation"


def _rules(*rows: tuple[str, str, str]) -> list[tuple[re.Pattern, str, str]]:
    unknown = {source_type for _, source_type, _ in rows} - set(SOURCE_TYPES)
    if unknown:
        raise ValueError(f"rules name unknown source types: {sorted(unknown)}")
    return [(re.compile(pattern), source_type, why) for pattern, source_type, why in rows]


def _words(*words: str) -> str:
    return r"\b(?:" + "|".join(words) + r")\b"


# Offices whose former holders still speak as politicians.
_OFFICE = ("president", "vice president", "governor", "lieutenant governor", "senator", "mayor",
           r"congress\w*", "representative", "legislator", "lawmaker", "speaker", "delegate",
           r"assembly\w*", "minister", "prime minister", "chancellor", "first lady",
           "attorney general", "secretary of state", "treasurer", "mp", "house member")

RULES = _rules(
    # Who is not said comes first: an unnamed official is anonymous before an official.
    (_words("anonymous", "unnamed", "unidentified", "undisclosed", "name unknown",
            r"unknown (?:source|author|person|user|account)s?", "on condition of anonymity",
            "people familiar", r"multiple (?:sources|people|authors)", "many sources",
            r"several (?:sources|people|authors)", r"rumou?rs?") + r"|^(?:several|public)$",
     "anonymous", "the claim names no one who can be held to it"),
    (r"(?=.*\b(?:exiled?|in exile|emigre)\b)(?=.*\b(?:opposition|politician|leader|minister"
     r"|president|lawmaker|mp|deputy|dissident|government|party|oligarch)\b)",
     "exiled_politician", "a political figure speaking from exile"),
    (_words(r"opposition (?:leader|politician|figure|lawmaker|mp|deputy|party|candidate|member)s?",
            "leader of the opposition", r"shadow (?:cabinet|minister|secretary|chancellor)"),
     "opposition_politician", "in opposition to the government it speaks about"),
    # Outlet names before generic words: "Ukrainska Pravda" is not "Pravda".
    (_words("ukrainska pravda", "novaya gazeta", "meduza", "kyiv independent", "the insider",
            "bbc", "deutsche welle", "dw news", "france 24", "voice of america", "voa",
            "radio free europe", "radio liberty", "rfe rl", "huffington post", "bellingcat"),
     "independent_media",
     "editorially independent outlet (public funding behind a statutory firewall is not "
     "state control)"),
    (_words("ukrinform", "belta", "anadolu agency"), "state_media", "state-owned news agency"),
    (_words("tass", "ria", "ria novosti", "rt", "russia today", "sputnik", "xinhua", "kcna",
            "korean central news agency", "irna", "press tv", "cctv", "cgtn", "global times",
            "peoples daily", "channel one", "perviy kanal", "pervyi kanal", r"rossiya(?: 1| 24)?",
            "vesti", "rossiyskaya gazeta", "izvestia", "zvezda", "argumenty i fakty", "aif",
            "komsomolskaya pravda", "pravda", "vzglyad", "tsargrad", "news front", "eadaily",
            "politikus", "тасс", "риа новости",
            r"russian state (?:media|broadcaster|television|tv|news agency)",
            r"state (?:run |owned |controlled )?(?:media|broadcaster|television|tv|news agency)",
            r"(?:pro )?kremlin (?:backed |controlled )?(?:media|outlet|tabloid|propaganda)"),
     "state_media", "state-owned or state-aligned outlet: relays the government's line"),
    (_words("reuters", "associated press", "ap", "afp", "agence france presse", "dpa", "efe",
            "ansa", "bloomberg news", "interfax", "kyodo", "yonhap", "pti", "press trust of india",
            "aap", "australian associated press"),
     "wire_agency", "news wire with a published corrections policy"),
    (_words(r"(?:co ?)?hosts?", r"talk ?show", "talk radio", r"radio (?:personality|commentator)",
            r"columnists?", "column", r"commentators?", r"pundits?", r"contributors?", "editorial",
            "op ed", r"analysts?", r"strategists?", r"political consultants?", "satirist",
            r"comedian", r"podcast(?:er)?", r"influencers?", "youtuber", "conspiracy theorist"),
     "commentator", "paid to give opinions, not to report"),
    # Circulating content names no author. Platforms come later, after the organisations,
    # so that an organisation's own channel counts as the organisation.
    (_words("social media", "viral", r"memes?", r"chain e ?mails?", r"(?:reader )?e ?mails?")
     + r"|^(?:video|image|photo|post|picture)s?$",
     "social_media_account", "content passed around online, with no author who can be held to it"),
    (_words("hamas", "hezbollah", "hizbollah", "hizballah", r"houthis?", "ansar allah",
            r"wagner (?:group|pmc|mercenar\w*|fighters?)", "pmc wagner", "taliban", "isis", "isil",
            "islamic state", "daesh", "al qaeda", "al shabaab", "boko haram", r"militias?",
            r"militants?", r"rebels?", r"insurgents?", r"separatists?", r"paramilitar\w*",
            r"armed groups?", r"private military (?:company|contractor)s?", "pmc", "africa corps",
            "dpr", "lpr", "dnr", "lnr", "rapid support forces", "islamic jihad"),
     "armed_group", "non-state armed actor (the Donbas 'republics' are not recognised states)"),
    (_words("general staff", "armed forces", "army", "navy", "air force", "aerospace forces",
            "national guard", "military", r"defen[cs]e forces", "idf", "marine corps",
            r"(?:lieutenant|lt|major|maj|brigadier|brig) gen(?:eral)?", "colonel",
            r"(?:vice |rear )?admiral", r"troops?", r"soldiers?", r"brigades?", "battalion",
            "commander of")
     + r"|^gen(?:eral)? (?!assembly|manager|counsel|election|motors|electric|dynamics|treasurer)",
     "military", "armed forces speak about operations they are party to"),
    (_words("ambassador", "permanent representative", r"consul(?: general)?", r"diplomats?"),
     "government_official", "a state's diplomat speaks for its government"),
    (_words("embassy", "consulate"), "state_agency", "a state's mission abroad"),
    (_words("united nations", "un", r"un \w+", "unhcr", "unicef", "unesco", "ohchr", "ocha",
            "undp", "wfp", "world food programme", r"world health organi[sz]ation", "nato",
            r"north atlantic treaty organi[sz]ation", "european union", "eu", "european commission",
            "european council", "council of europe", "osce", "iaea",
            "international atomic energy agency", "world bank", "imf",
            "international monetary fund", "wto", "international criminal court", "icc", "icj",
            "international court of justice", "interpol", "african union", "arab league", "asean",
            "oecd"),
     "international_org", "intergovernmental body"),
    (_words("amnesty", "amnesty international", "human rights watch", "hrw",
            "medecins sans frontieres", "doctors without borders", "msf", "red cross",
            "red crescent", "icrc", "oxfam", "save the children", "transparency international",
            "reporters without borders", "committee to protect journalists", "freedom house",
            "ovd info", r"human rights (?:group|organi[sz]ation|monitor|defenders?|centre|center)",
            "humanitarian", r"charit(?:y|ies|able)", r"food banks?", r"non ?profit",
            "not for profit", r"ngos?", r"non ?governmental"),
     "ngo", "humanitarian or rights organisation with a documentation record"),
    (_words("congressional budget office", "cbo", "government accountability office", "gao",
            "congressional research service", "council of economic advisers", "security council"),
     "state_agency", "non-partisan or executive state body despite a legislative-sounding name"),
    (_words("former", "ex") + r" (?:\w+ ){0,3}?" + _words(*_OFFICE),
     "politician", "a former office-holder speaks as a politician, not for a government"),
    (_words(r"candidates?", r"nominees?", "elect", "running for", r"challengers?",
            r"(?:presidential|gubernatorial|mayoral|senate|congressional) (?:hopeful|contender)"),
     "politician", "a candidate speaks to win votes"),
    (_words(r"(?:republican|democratic|gop|libertarian|green|constitution) (?:\w+ ){0,3}?"
            r"(?:committee|party|caucus|association|conference)",
            r"(?:republican|democratic|labou?r|conservative|liberal|green|libertarian|communist"
            r"|socialist|constitution|independence|peoples|reform) party",
            r"party (?:of|chair\w*|leadership)", r"(?:house|senate) (?:republicans|democrats)",
            "gop", "rnc", "dnc", "nrcc", "nrsc", "dccc", "dscc", "dga", "rga", "united russia",
            "ldpr", "servant of the people", "european solidarity"),
     "political_party", "speaks for a party organisation"),
    (_words(r"senat\w*", r"representatives?", "represents", r"congress\w*", r"assembly\w*",
            r"assemblym[ae]n", "assemblywoman", r"delegates?", r"legislat\w*", r"lawmakers?",
            r"council ?(?:m[ae]n|wom[ae]n|members?|l?ors?)", "city council", "common council",
            "board of supervisors", "school board", r"(?:house|assembly) speaker", "speaker of",
            r"(?:majority|minority|floor|party|house|senate) (?:\w+ )?leader", "whip", "mp", "mps",
            "member of parliament", r"member of (?:the )?european parliament", "mep",
            r"(?:state )?duma (?:deputy|member)", "rada deputy", "peoples deputy", "first lady",
            r"(?:house|senate) (?:\w+ ){0,3}committee", "committee on", r"house members?",
            r"member of (?:the )?(?:us )?house", "state house", "house of delegates", "rep"),
     "politician", "elected legislator: speaks to win votes"),
    (_words(r"professors?", "prof", "lecturer", "academic", "scholar", r"researchers?",
            "research fellow", "provost", r"scientists?", r"economists?", r"historians?",
            r"physicists?", r"universit(?:y|ies)", "college", "faculty", "phd", "dean of",
            "institute of technology", "school of law", "law school", "medical school"),
     "academic", "researcher or teacher speaking from expertise"),
    (_words("heritage foundation", "cato institute", "brookings", "american enterprise institute",
            "center for american progress", "tax foundation", r"think tanks?", r"institutes?",
            r"foundations?"),
     "advocacy_group", "think tank or foundation arguing a policy line"),
    (_words("inc", "incorporated", "llc", "ltd", "plc", "corp", "corporation", "gmbh",
            "holdings", r"(?:hedge|investment|mutual) funds?"),
     "corporation", "a registered company speaks for its commercial interest"),
    (_words(r"pacs?", r"political action (?:committee|fund)s?", "advocacy", r"activists?",
            r"lobby\w*", r"coalitions?", r"unions?", r"associations?", r"alliances?",
            r"federations?", r"leagues?", r"councils?", r"projects?", r"campaigns?",
            r"committees?", r"initiatives?", r"movements?", "action", r"funds?", "club",
            "society", "partnership", r"chambers? (?:of )?commerce", "afl cio", "afscme", "seiu",
            "teamsters", r"local \d+", "labou?r leader", "union leader", "tea party",
            r"americans (?:for )?\w+", r"citizens (?:for )?\w+", "for america", "taxpayers",
            "voters", "right to life", r"pro (?:life|choice)", "aclu", "naacp",
            "planned parenthood", "protest",
            r"(?:advocacy|political|activist|interest|pressure|lobby|campaign|trade) groups?"),
     "advocacy_group", "organised to win an argument or a vote"),
    (_words(r"(?:\w+ )?ministers?", r"spokes(?:man|woman|person|people)", "press secretary",
            r"officials?", "envoy", "head of state", "chief of staff"),
     "government_official", "speaks for a government in person"),
    (_words(r"ministr(?:y|ies)", "mfa", "mod", r"departments?", "dept", r"agenc(?:y|ies)",
            r"authorit(?:y|ies)", r"commissions?", "bureau", "directorate", "inspectorate",
            "office of", r"(?:security|intelligence|emergency|border|customs|tax|revenue|postal"
            r"|civil|secret|foreign|federal|national|statistics|migration|health|penitentiary"
            r"|prison|weather) service", "fsb", "svr", "gru", "sbu", "hur", "gur", "kgb", "cia",
            "fbi", "nsa", "pentagon", "police", "city of", r"school districts?", "lottery",
            "municipality", "rospotrebnadzor", "rosaviation", "roskomnadzor", "rosgvardia",
            "investigative committee", "мид", "министерство", "минобороны", "фсб")
     + r"|^(?:city|town|county) \w+$",
     "state_agency", "a state body speaking as an institution"),
    (_words("facebook", "fb", "instagram", r"tik ?tok", "twitter", r"tweets?", "telegram",
            "youtube", "threads", "reddit", "whatsapp", "bluesky", "bsky", "vk", "vkontakte",
            "truth social", "t me", "atsign", r"blog\w*",
            r"x (?:users?|accounts?|posts?|com|formerly)", r"(?:and|or|on) x")
     + r"|^x\b",
     "social_media_account", "posted on a platform with no editorial record"),
    # "News" or "TV" in a page's own name is no evidence of an editorial process.
    (_words(r"reporters?", r"journalists?", "journalism", r"correspondents?", r"editors?",
            r"anchors?", r"newspapers?", r"magazines?", r"broadcasters?", "newsroom",
            r"news (?:agency|organi[sz]ation|outlet)", "new york times", "washington post",
            "wall street journal", "cnn", "msnbc", "fox news", "npr", "abc news", "cbs", "nbc",
            "univision", "weekly standard", "national journal", "al jazeera", "cnbc",
            "sky news", "channels tv", "citizen tv", "ntv kenya", "ktn news", "enca", "sabc",
            "ndtv", "axios"),
     "independent_media", "news outlet or reporter working under editorial control"),
    (_words("ceo", "chief executive", r"compan(?:y|ies)", "industries",
            r"manufacturers?", "industry", "bank", "firm"),
     "corporation", "a business speaks for its commercial interest"),
    (_words("president", "vice president", "prime minister", "premier", "chancellor",
            r"(?:lieutenant )?governor", r"(?:deputy )?mayor", "attorney general",
            "solicitor general", "secretary of state", "secretary", r"commissioners?", "treasurer",
            "comptroller", "controller", "auditor", "sheriff", "police chief", "chief of police",
            "district attorney", "prosecutor", r"judges?", "supreme court justice",
            "chief justice",
            "county executive", "county judge", "city manager", "administrator", "superintendent",
            "surgeon general", "inspector general", "cabinet"),
     "government_official", "holds executive office and speaks for a government"),
    (_words("kremlin", "white house", r"government(?: body| agency)?", "administration",
            "parliament", "state duma", "verkhovna rada"),
     "state_agency", "a government or its institutions, named as a whole"),
    (_words(r"eye ?witness(?:es)?", r"witness(?:es)?", "bystanders?", r"residents?",
            r"villagers?", r"local (?:man|woman|people|residents?|sources?)", r"survivors?",
            r"passers? ?by", r"onlookers?", r"evacuees?"),
     "eyewitness", "present at the events it describes"),
)

# Recurring public figures of the Russia-Ukraine information space and US politics, as
# of 2024-25, who are often named without a role. Offices change: a role, when given,
# is read first.
KNOWN_SPEAKERS = _rules(
    (_words("vladimir putin", r"serg[ei]y? lavrov", "maria zakharova", r"dmitr[iy]y? peskov",
            r"andre[iy] kelin", "anatoly antonov", "vasily nebenzya",
            r"dmitr[iy]y? polyansk(?:iy|y)",
            "nikolai patrushev", r"dmitr[iy]y? medvedev", r"serg[ei]y? shoigu",
            r"volodymyr zelensk(?:yy|iy|y)", "dmytro kuleba", "andrii sybiha", "andriy yermak",
            "mykhailo podolyak", "ramzan kadyrov", r"ale(?:x|ks)and(?:er|r) lukashenko",
            "abbas araghchi", "keir starmer", "david lammy", "joe biden", "xi jinping",
            "kim jong un", "emmanuel macron", "olaf scholz"),
     "government_official", "head of state or government, minister or spokesperson at the time"),
    (_words("cyril ramaphosa", "uhuru kenyatta", "william ruto", "muhammadu buhari",
            "yemi osinbajo", "henry rotich", "zweli mkhize", "david mabuza", "tito mboweni",
            "wycliffe oparanya", "david maraga", "boris johnson", "matt hancock",
            "narendra modi", "amit shah", "imran khan", "jair bolsonaro", "jacinda ardern",
            "scott morrison", "justin trudeau", "mike pence", "andrew cuomo", "jay inslee",
            "nana akufo addo", "yoweri museveni", "emmerson mnangagwa", "lai mohammed"),
     "government_official",
     "head of state or government, minister, governor or judge in office when checked "
     "(AVeriTeC, 2019-20)"),
    (_words("bernie sanders", "elizabeth warren", "amy klobuchar", "cory booker",
            "kirsten gillibrand", "kamala harris", "pete buttigieg", r"beto o ?rourke",
            "andrew yang", "michael bloomberg", "alexandria ocasio cortez", "tim ryan",
            "amy mcgrath", "atiku abubakar", "jacob zuma", "raila odinga", "musalia mudavadi",
            "julius malema", "mmusi maimane", "barry gardiner", "jeremy corbyn", "rahul gandhi"),
     "politician", "legislator, candidate or former office-holder when checked (AVeriTeC)"),
    (_words("donald trump", r"j ?d vance", "tom cotton", "leonid slutsky", "vyacheslav volodin",
            r"andre[iy] isayev", "shalva papuashvili", "marjorie taylor greene"),
     "politician", "elected politician or candidate at the time"),
    (_words(r"dmitr[iy]y? kisel[yj]?[eo]v", "margarita simonyan", r"vladimir solovy[eo]v",
            "olga skabeyeva"),
     "state_media", "presenter or head of Russian state media"),
    (_words(r"valer[iy]y? gerasimov", "igor konashenkov", r"valer[iy]i? zaluzhn(?:yi|y)",
            r"oleksandr syrsk(?:yi|y)", r"kyrylo budanov"),
     "military", "serving commander or military spokesperson"),
    (_words(r"yevgen[iy]y? prigozhin", "dmitry utkin"),
     "armed_group", "leader of the Wagner Group"),
    (_words("mikhail khodorkovsky", "garry kasparov", "yulia navalnaya", "leonid volkov",
            "ilya ponomarev", r"svetlana tsikhanouskaya", "viktor medvedchuk"),
     "exiled_politician", "political figure living in exile"),
    (_words("alexei navalny"),
     "opposition_politician", "leader of the Russian opposition"),
    (_words("tucker carlson", "alex jones", "jackson hinkle", "mario nawfal", "brian krassenstein",
            "scott ritter", "glenn greenwald"),
     "commentator", "commentator or influencer with a large audience"),
)

AFFILIATION_RULES = _rules(
    (r"^(?:republican|democrat|democratic|independent|libertarian|green|moderate"
     r"|constitution party|democratic farmer labor|liberal party \w+|conservative)$",
     "politician",
     "a party affiliation and nothing more specific: LIAR speakers so marked are politicians"),
    (r"^organi[sz]ation$", "advocacy_group",
     "LIAR's 'organization' speakers are PACs and campaign groups"),
    (r"^(?:labor|business) leader$|^tea party member$", "advocacy_group",
     "LIAR's leaders of unions, business lobbies and the Tea Party"),
)

OCCUPATION_RULES = _rules(
    (_words("executive director"), "advocacy_group",
     "the title nonprofits and campaign groups give their heads"),
    (_words(r"business ?(?:man|woman|owner|leader)", "entrepreneur", r"developers?",
            "homebuilder", r"(?:co ?)?founder", r"(?:co ?)?owner", r"investors?", "restaurateur",
            "venture capital", "executive"),
     "corporation", "speaks from a business interest"),
    (_words("author", "writer", "filmmaker"), "commentator", "publishes opinions"),
)

_PASSES = (("role", RULES), ("name", KNOWN_SPEAKERS), ("name", RULES),
           ("affiliation", AFFILIATION_RULES), ("affiliation", RULES),
           ("role", OCCUPATION_RULES), ("affiliation", OCCUPATION_RULES))


def _prepare(text: str | None) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return normalise_name(_HANDLE.sub(_HANDLE_WORD, text))


def match_source(name: str | None = None, role: str | None = None,
                 affiliation: str | None = None) -> Match | None:
    """The first rule that matches, with its reason and the field it read; None if none."""
    return _first_match(_prepare(name), _prepare(role), _prepare(affiliation))


@lru_cache(maxsize=20_000)   # the same sources speak again and again
def _first_match(name: str, role: str, affiliation: str) -> Match | None:
    texts = {"name": name, "role": role, "affiliation": affiliation}
    for field, rules in _PASSES:
        text = texts[field]
        if not text:
            continue
        for pattern, source_type, why in rules:
            if pattern.search(text):
                return Match(source_type, why, field)
    return None


def classify_source(name: str | None = None, role: str | None = None,
                    affiliation: str | None = None) -> str:
    """A source type name for a described source; "other" when no rule matches."""
    match = match_source(name, role, affiliation)
    return match.type if match else "other"
