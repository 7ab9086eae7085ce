"""The tables behind acronyms and identifiers: what is said as a word, what is spelled, and
whether an all-capital word is an ordinary English word written loudly ("NEVER").

The rule (acronyms.py): an entry of ACRONYM_WORDS says how to say it; an entry of KNOWN_SPELLED
is spelled; a short word of LOUD_WORDS or a longer word of the English dictionary is said as
that word; anything else is spelled, and `audiolesson check --unsure` lists it when it could
have been said as a word. A lexicon entry overrides every table.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib.resources import files

__all__ = [
    "ACRONYM_WORDS",
    "CAMEL_NAMES",
    "KNOWN_SPELLED",
    "LOUD_WORDS",
    "NAMES",
    "english_word",
]

#: Acronyms and names said as words, or with a fixed reading.
ACRONYM_WORDS = {
    # organisations and programmes
    "NASA": "Nasa",
    "UNESCO": "Unesco",
    "UNICEF": "Unicef",
    "NATO": "Nato",
    "OPEC": "Opec",
    "ASEAN": "Asean",
    "FIFA": "Fifa",
    "NAFTA": "Nafta",
    "ISRO": "Isro",
    "BRICS": "bricks",
    "CERN": "Cern",
    "FEMA": "Fema",
    "OSHA": "Osha",
    "DARPA": "Darpa",
    "NOAA": "Noah",
    "INTERPOL": "Interpol",
    "APEC": "Ay-peck",
    "SEBI": "Sebi",
    "AIIMS": "aims",
    "NEET": "neet",
    "GMAT": "gee-mat",
    "TOEFL": "toefl",
    "IELTS": "eye-elts",
    "PISA": "Pisa",
    "MOOC": "mooc",
    # health and science
    "AIDS": "aids",
    "SARS": "sars",
    "MERS": "murs",
    "COVID": "Covid",
    "LASER": "laser",
    "RADAR": "radar",
    "SONAR": "sonar",
    "SCUBA": "scuba",
    "LIDAR": "lidar",
    "LASIK": "lasik",
    # computing
    "GIF": "gif",
    "JPEG": "jay-peg",
    "MPEG": "em-peg",
    "NaN": "nan",
    "RAM": "ram",
    "ROM": "rom",
    "VRAM": "V ram",
    "DRAM": "D ram",
    "SRAM": "S ram",
    "GUI": "gooey",
    "BIOS": "bye-oss",
    "PIN": "pin",
    "SIM": "sim",
    "LAN": "lan",
    "WAN": "wan",
    "ASCII": "askee",
    "CAPTCHA": "captcha",
    "JSON": "jason",
    "YAML": "yammel",
    "TOML": "tommel",
    "CUDA": "cooda",
    "ROCm": "rock M",
    "SQL": "S Q L",
    "NoSQL": "no S Q L",
    "MySQL": "my S Q L",
    "WASM": "wasm",
    "UNIX": "you-nix",
    "DOS": "doss",
    "REST": "rest",
    "CRUD": "crud",
    "OAuth": "oh-auth",
    "SIMD": "sim-D",
    "ASIC": "ay-sick",
    "INT": "int",
    "FLOPS": "flops",
    "FLOPs": "flops",
    "TFLOPS": "teraflops",
    "WiFi": "wi-fi",
    "iPhone": "eye-phone",
    "iPad": "eye-pad",
    "iOS": "eye O S",
    "eBay": "ee-bay",
    "LaTeX": "lah-tech",
    "TeX": "tech",
    "NumPy": "num-pie",
    "SciPy": "sigh-pie",
    "PyTorch": "pie-torch",
    "SaaS": "sass",
    "PaaS": "pass",
    "DevOps": "dev-ops",
    "MLOps": "M L ops",
    # machine learning: models, methods and benchmarks said as words
    "JAX": "jax",
    "RAG": "rag",
    "ONNX": "onyx",
    "LoRA": "lora",
    "LORA": "lora",
    "QLoRA": "Q lora",
    "BERT": "bert",
    "RoBERTa": "roberta",
    "ELMo": "elmo",
    "GloVe": "glove",
    "YOLO": "yolo",
    "GAN": "gan",
    "ReLU": "relu",
    "GELU": "gelu",
    "GeLU": "gelu",
    "SiLU": "silu",
    "NeRF": "nerf",
    "CLIP": "clip",
    "SQuAD": "squad",
    "GLUE": "glue",
    "BLEU": "blue",
    "ROUGE": "rouge",
    "ROC": "rock",
    "PaLM": "palm",
    "LLaMA": "llama",
    # business
    "EBITDA": "ee-bit-dah",
    "GAAP": "gap",
    "CAPEX": "cap-ex",
    "OPEX": "op-ex",
    "COGS": "cogs",
    "SWOT": "swot",
    "FOMO": "foe-moe",
    "NASDAQ": "Nazdak",
    "FTSE": "footsie",
    "FAANG": "fang",
    "SPAC": "spack",
    "ASAP": "A S A P",
    # fixed readings
    "IPv4": "I P v four",
    "IPv6": "I P v six",
    "pH": "p H",
    "pKa": "p K a",
    "NW": "north-west",
    "NE": "north-east",
    "SW": "south-west",
    "SE": "south-east",
    "OK": "okay",
    "TV": "T V",
    "WWI": "World War One",
    "WWII": "World War Two",
    "WW1": "World War One",
    "WW2": "World War Two",
}

#: Acronyms that are spelled although they could be said as words, or that are common enough that
#: `check --unsure` need not ask about them.
KNOWN_SPELLED = frozenset(
    """
    IUPAC USSR IEEE OECD UNHCR NCERT CBSE ICSE IUCN
    AI ML DL NLP CV CNN RNN GPU CPU TPU NPU USB URL URI HTTP HTTPS HTML CSS XML PDF CSV SDK IDE
    CLI API OS PC ID IQ DNA RNA ATP HIV MRI CT ECG EKG ICU ER BMI UV IR LED LCD GPS FAQ FBI CIA
    NSA IRS EPA FDA CDC WHO NHS BBC NBA NFL MBA BSc MSc BA MA MD TA GPA SAT GRE AP IB GCSE KPI
    ROI OKR CRM ERP AWS GCP VM VPN DNS IP TCP UDP SSH SSL TLS FTP ISP IoT AR VR XR NFT DAO LLM
    GPT RLHF SFT DPO PPO KL MSE MAE RMSE AUC PCA SVD SVM KNN MLP SGD BPE MMLU XLA TF IDF EDA ETL
    FP BF CI CD PR QA UX UI ASR TTS OCR CEO CFO COO CTO CIO CMO CPA USA UK US EU UN UAE GDP GNP
    CPI PPP IPO ETF IRA HR ARR MRR CAC LTV APR APY EPS PE VAT GST TDS PAN UPI RBI SBI HDFC ICICI
    LIC IST GMT UTC EST PST CET BST IIT IIM UPSC JEE UGC DRDO BSE NSE LSTM GRU AGI MoE RL
    EV EVs ESG SEC FTC DOJ NIH NSF NGO IMF WTO WWF ISO ANSI NIST DOI ISBN RSVP PS AD BC BCE CE
 PDFs APIs GPUs CPUs LLMs PhD MCQ FY CY AY QR SMS MMS OTP KYC SUV ATM DIY FYI TBD EOD
    ETA POS
    """.split()
)

#: Short words written in capitals that are ordinary words said loudly ("Do NOT mix them").
LOUD_WORDS = frozenset(
    "A I NOT AND OR NOR XOR NAND THE ALL ANY BUT FOR YES NO TWO ONE TEN NEW OLD BIG MIX TOP "
    "END OUT WHY HOW WHAT ARE IS IT ITS OF ON IN TO BE BY IF SO UP DO GO MY AN AS AT WE HE SHE "
    "YOU HIS HER OUR CAN MAY NOW THEN ELSE TRUE FALSE STOP MUST NEVER ALWAYS NOTE TIP KEY HOT WET "
    "DRY ONLY NOTE WAS HAS HAD DID GET GOT SET PUT RUN USE SEE SAW WHO WHY YET NOR OFF BAD GOOD "
    "FEW LOW HIGH OWN TOO VERY".split()
)

#: CamelCase words kept whole: product names a voice reads well as written.
NAMES = frozenset({"iPod", "iMac", "iCloud", "iTunes", "eBook", "eMail", "McKinsey", "PowerShell"})
#: Well-known CamelCase names whose parts are said as they are split ("Open A I", "You Tube"), so
#: `check --unsure` need not ask about them.
CAMEL_NAMES = frozenset(
    "OpenAI DeepMind YouTube GitHub GitLab JavaScript TypeScript PowerPoint LinkedIn ChatGPT "
    "TensorFlow ImageNet HuggingFace DeepSeek WhatsApp PayPal FedEx MasterCard BlackRock "
    "JPMorgan SpaceX MongoDB PostgreSQL WordPress StackOverflow DevOps".split()
)

# How often a word must occur in the English frequency list to count as an ordinary word.
_COMMON = 100


@cache
def _dictionary() -> dict[str, int]:
    """English word frequencies (pyspellchecker's list), loaded the first time a word needs it."""
    resource = files("spellchecker") / "resources" / "en.json.gz"
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as f:
        return json.load(f)


def english_word(word: str) -> bool:
    """Whether 'NEVER' or 'civil' is an ordinary English word (case ignored)."""
    return _dictionary().get(word.lower(), 0) >= _COMMON
