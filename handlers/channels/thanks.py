"""Messages that are only thanks or a greeting, in any of the languages clients write: not requests.

"thanks a lot", "merci beaucoup !", "danke", "ありがとうございます", "hi", "👍", ":pray:" — a team does
not owe an answer to these. Anything with a word beyond the thanks, greetings and small fillers
below ("thanks, can you resend the invoice?") is a request.
"""

from __future__ import annotations

import re
import unicodedata

# Lower case, accents kept (matched after NFC). Phrases are split into words below.
_THANKS = """
thanks thank thx ty tks tnx cheers ta appreciated appreciate grateful kudos
merci remercie remerciements beaucoup mille
danke dank dankeschön vielen bestens
gracias muchas mil agradezco
obrigado obrigada obrigadão valeu muito
grazie tante
bedankt dankjewel dankuwel
tack tak takk kiitos paljon
dziękuję dzięki dziekuje dzieki
спасибо благодарю большое
дякую
teşekkürler teşekkür ederim sağol sağolun
شكرا شكراً جزيلا جزيلاً
धन्यवाद शुक्रिया
terima kasih banyak
cảm ơn cám nhiều
ขอบคุณ ครับ ค่ะ คะ มาก
ευχαριστώ πολύ
děkuji díky moc
köszönöm köszi
mulțumesc mersi
תודה רבה
"""
_GREETINGS = """
hi hello hey hiya howdy morning afternoon evening good day greetings yo
bonjour bonsoir salut coucou
hallo moin servus grüß gott guten tag morgen abend
hola buenos buenas días dias tardes noches
olá ola oi bom boa tarde noite
ciao buongiorno buonasera salve
hoi goedemorgen goedemiddag
hej hei moi
cześć dzień dobry
привет здравствуйте добрый утро день вечер
merhaba günaydın selam
مرحبا السلام عليكم صباح الخير أهلا اهلا
नमस्ते
halo selamat pagi siang sore
xin chào chao
สวัสดี
γεια σας
ahoj dobrý den
szia jó napot
bună ziua
שלום
"""
_FILLERS = """
a lot so very much many much all you u guys team everyone everybody folks again in advance for it that this
the your as always indeed really truly sir madam dear friends colleagues there
ok okay great perfect noted awesome super parfait genial genial perfekt prima top
de la le les pour tout tous à vous toi
für euch dir ihnen sehr
por todo todos a ustedes para
por tudo vocês
per tutto a voi
"""
_CJK_PHRASES = (
    "ありがとうございます",
    "ありがとうございました",
    "ありがとう",
    "どうもありがとう",
    "どうも",
    "感謝します",
    "よろしくお願いします",
    "よろしくお願いいたします",
    "こんにちは",
    "おはようございます",
    "こんばんは",
    "谢谢",
    "謝謝",
    "多谢",
    "多謝",
    "感谢",
    "非常感谢",
    "你好",
    "您好",
    "大家好",
    "감사합니다",
    "고맙습니다",
    "감사해요",
    "안녕하세요",
)

WORDS = frozenset(" ".join((_THANKS, _GREETINGS, _FILLERS)).split())
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")
_MARKUP = re.compile(r"<[^<>]*>")  # mentions, channels
_LINK = re.compile(r"<(?:https?|mailto|tel|ftp):|https?://", re.IGNORECASE)
MAX_CHARACTERS = 80  # longer messages carry more than thanks


def is_only_thanks(text: str) -> bool:
    """True for a message that says nothing but thanks or hello (or is only emoji or mentions)."""
    cleaned = unicodedata.normalize("NFC", text or "")
    if _LINK.search(cleaned):
        return False  # a link is something to look at
    cleaned = _MARKUP.sub(" ", _EMOJI_CODE.sub(" ", cleaned)).strip()
    if len(cleaned) > MAX_CHARACTERS:
        return False
    for phrase in sorted(_CJK_PHRASES, key=len, reverse=True):
        cleaned = cleaned.replace(phrase, " ")
    words = [
        "".join(ch for ch in word if ch.isalnum() or unicodedata.category(ch).startswith("M"))
        for word in cleaned.lower().split()
    ]
    words = [word for word in words if word]
    # Only emoji, punctuation or nothing left; or only thanks, greetings and fillers.
    return all(word in WORDS for word in words)
