"""`manage.py load_demo`: a demo network modelled on a city's 相談支援課 and its partners.

The city (みなと市), its agencies and its people are fictional; phone numbers use the 555
exchange and addresses on the web are under example.jp. Every account gets the one demo
password below, which is printed, so the command refuses to run unless
`settings.DEMO_DATA_ALLOWED` is on (it is off in production).

Running it again creates nothing new: agencies are looked up by name, people by username,
the network by name and municipality, seats by network, agency and tier (a current term),
and only what is missing is created, through the services so their rules hold. Existing
accounts are left as they are (their password is not reset).
"""

import base64
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Agency, Qualification, Sector, User
from conferences.cases import services as case_services
from conferences.meetings import services as meeting_services
from conferences.models import Case, CaseStatus, Meeting
from conferences.reviews import services as review_services
from config import clock
from network import services as network_services
from network.fiscal import fiscal_year_bounds, fiscal_year_of
from network.models import Membership, Network, StaffRole, Tier
from signin import selectors as signin_selectors
from signin import services as signin_services

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published on purpose; demo data only
# The authenticator key (base32) of demo_admin's second factor, which the admin requires:
# published on purpose, like the password, so the demo admin opens without a phone.
DEMO_TOTP_SECRET = "MINATOSHIDEMOADMINLOCALUSEONLY23"  # noqa: S105
DEMO_TOTP_USERS = ("demo_admin",)

MUNICIPALITY = "みなと市"
NETWORK = {
    "name": "みなと市ひきこもり支援関係機関ネットワーク会議",
    "municipality": MUNICIPALITY,
    "content_window_days": 14,
    "suppression_threshold": 3,
    # The demo logins read case content with a password alone (no phone needed).
    "require_two_factor": False,
}
SECRETARIAT = "soudan"  # the key of the agency that runs the network (事務局)

# The agencies (関係機関). `key` names the agency within this table only.
AGENCIES = [
    {
        "key": "soudan",
        "name": "みなと市相談支援課",
        "name_kana": "みなとしそうだんしえんか",
        "sector": Sector.MUNICIPAL,
        "address": "みなと市中央町1丁目1番1号 みなと市保健所内",
        "phone": "099-555-0100",
        "email": "soudan@city.minato.example.jp",
        "website": "https://city.minato.example.jp/soudan/",
        "contact_route": "ひきこもり専門相談ダイヤル（平日8時45分〜17時30分）または関係機関専用の"
        "メールで、担当の相談員へご連絡ください。ネットワーク会議の事務局として、事例の提出や"
        "会議日程の調整もこちらで受け付けます。",
        "can_take_on": "ひきこもり状態にある本人・家族の総合相談、家庭訪問を中心とした訪問支援、"
        "オンライン相談、居場所づくり、関係機関の役割分担の調整とケース支援会議の開催。",
        "conditions": "市内にお住まいの方が対象で、年齢の制限はありません。本人の同意が得られて"
        "いない段階でも、家族からの相談として受け付けます。",
    },
    {
        "key": "hospital",
        "name": "みなと中央病院 精神神経科",
        "name_kana": "みなとちゅうおうびょういん せいしんしんけいか",
        "sector": Sector.MEDICAL,
        "address": "みなと市港南町3丁目5番1号",
        "phone": "099-555-0110",
        "email": "renkei@minato-chuo-hp.example.jp",
        "website": "https://minato-chuo-hp.example.jp/",
        "contact_route": "地域医療連携室の精神保健福祉士が窓口です。受診のご相談は事前にお電話の"
        "うえ、診療情報提供書（紹介状）をお送りください。",
        "can_take_on": "精神科外来・入院治療、訪問看護、受診前の相談、ケース会議への医師・"
        "精神保健福祉士の出席（事前の日程調整が必要です）。",
        "conditions": "受診は予約制です。本人の受診意思が確認できないときは、まず家族相談として"
        "お受けします。会議への出席は平日の午後に限ります。",
    },
    {
        "key": "clinic",
        "name": "うみかぜメンタルクリニック",
        "name_kana": "うみかぜめんたるくりにっく",
        "sector": Sector.MENTAL_HEALTH,
        "address": "みなと市駅前通2丁目8番3号 うみかぜビル4階",
        "phone": "099-555-0120",
        "email": "info@umikaze-clinic.example.jp",
        "website": "https://umikaze-clinic.example.jp/",
        "contact_route": "受付へお電話のうえ、臨床心理士の担当日（火曜・木曜）にご相談ください。",
        "can_take_on": "思春期・青年期の外来診療、臨床心理士によるカウンセリング、デイケア、"
        "家族面談。",
        "conditions": "初診は予約制で、2〜3週間お待ちいただくことがあります。カウンセリングは"
        "医師の診察を受けてからの開始となります。",
    },
    {
        "key": "hokenjo",
        "name": "みなと市保健所 保健予防課",
        "name_kana": "みなとしほけんじょ ほけんよぼうか",
        "sector": Sector.PUBLIC_HEALTH,
        "address": "みなと市中央町1丁目1番1号",
        "phone": "099-555-0130",
        "email": "hoken-yobo@city.minato.example.jp",
        "website": "https://city.minato.example.jp/hokenjo/",
        "contact_route": "精神保健福祉担当の保健師が地区担当制で対応します。代表電話で地区名を"
        "お伝えください。",
        "can_take_on": "精神保健福祉相談、保健師による家庭訪問、精神科医による専門相談（月2回）、"
        "医療機関への受診調整、自殺予防に関する相談。",
        "conditions": "自傷他害のおそれなど緊急性の高い事例は最優先で対応します。訪問は事前に"
        "本人または家族の了解を得てから行います。",
    },
    {
        "key": "shakyo",
        "name": "みなと市社会福祉協議会",
        "name_kana": "みなとししゃかいふくしきょうぎかい",
        "sector": Sector.WELFARE,
        "address": "みなと市本町4丁目2番10号 みなと市総合福祉センター2階",
        "phone": "099-555-0140",
        "email": "chiiki@minato-shakyo.example.jp",
        "website": "https://minato-shakyo.example.jp/",
        "contact_route": "地域福祉課のコミュニティソーシャルワーカーが窓口です。電話またはメールで"
        "ご連絡ください。",
        "can_take_on": "地域の見守り体制づくり、民生委員・児童委員との連携、"
        "ボランティア活動の紹介、日常生活自立支援事業、生活福祉資金の貸付相談。",
        "conditions": "個別の見守りをご依頼いただく場合は、本人または家族の同意をお願いします。",
    },
    {
        "key": "houkatsu",
        "name": "みなと市北部地域包括支援センター",
        "name_kana": "みなとしほくぶちいきほうかつしえんせんたー",
        "sector": Sector.WELFARE,
        "address": "みなと市北町2丁目14番6号",
        "phone": "099-555-0150",
        "email": "hokubu@minato-houkatsu.example.jp",
        "website": "https://minato-houkatsu.example.jp/hokubu/",
        "contact_route": "北部圏域の事例は、センターの社会福祉士または主任介護支援専門員へ"
        "お電話ください。",
        "can_take_on": "高齢の親とひきこもり状態の子が暮らす世帯（いわゆる8050世帯）"
        "への相談・訪問、介護保険サービスの調整、高齢者の権利擁護。",
        "conditions": "65歳以上の方がいる世帯が対象です。子の支援は相談支援課と連携して行います。",
    },
    {
        "key": "konkyu",
        "name": "みなと市くらし・しごと相談センター",
        "name_kana": "みなとしくらししごとそうだんせんたー",
        "sector": Sector.WELFARE,
        "address": "みなと市本町4丁目2番10号 みなと市総合福祉センター1階",
        "phone": "099-555-0160",
        "email": "kurashi@city.minato.example.jp",
        "website": "https://city.minato.example.jp/kurashi/",
        "contact_route": "相談支援員へお電話でご予約のうえ、来所またはご自宅への訪問で対応します"
        "（生活困窮者自立相談支援機関）。",
        "can_take_on": "生活困窮者自立支援制度による相談、家計改善支援、就労準備支援、"
        "住居確保給付金の申請支援、食料支援。",
        "conditions": "経済的に困っている、またはそのおそれのある世帯が対象です。生活保護の申請が"
        "必要な場合は福祉事務所へおつなぎします。",
    },
    {
        "key": "kyoiku",
        "name": "みなと市教育委員会 学校教育課",
        "name_kana": "みなとしきょういくいいんかい がっこうきょういくか",
        "sector": Sector.EDUCATION,
        "address": "みなと市中央町1丁目1番1号 みなと市役所5階",
        "phone": "099-555-0170",
        "email": "gakko@city.minato.example.jp",
        "website": "https://city.minato.example.jp/kyoiku/",
        "contact_route": "不登校・教育相談担当の指導主事が窓口です。在籍校を通じてのご連絡でも"
        "構いません。",
        "can_take_on": "小中学生の不登校に関する相談、学校との連絡調整、スクールカウンセラー・"
        "スクールソーシャルワーカーの派遣調整。",
        "conditions": "市立小・中学校の児童生徒が対象です。卒業後の支援は相談支援課や"
        "若者サポートステーションに引き継ぎます。",
    },
    {
        "key": "tekio",
        "name": "みなと市適応指導教室 あおぞら教室",
        "name_kana": "みなとしてきおうしどうきょうしつ あおぞらきょうしつ",
        "sector": Sector.EDUCATION,
        "address": "みなと市緑町6丁目3番1号 みなと市教育センター内",
        "phone": "099-555-0180",
        "email": "aozora@city.minato.example.jp",
        "website": "https://city.minato.example.jp/kyoiku/aozora/",
        "contact_route": "見学・体験のお申し込みは、在籍校の担任または教育委員会学校教育課を"
        "通じて受け付けます。",
        "can_take_on": "不登校の小中学生の通所による学習支援、体験活動、小集団活動、保護者面談。",
        "conditions": "市立小・中学校に在籍する児童生徒が対象です。通所は平日の9時から15時まで"
        "です。",
    },
    {
        "key": "hellowork",
        "name": "ハローワークみなと",
        "name_kana": "はろーわーくみなと",
        "sector": Sector.EMPLOYMENT,
        "address": "みなと市港町1丁目7番2号",
        "phone": "099-555-0190",
        "email": "shokugyo@hw-minato.example.jp",
        "website": "https://hw-minato.example.jp/",
        "contact_route": "職業相談部門の就職支援ナビゲーターへ、事前にお電話でご相談ください。"
        "支援者の同行での来所も歓迎します。",
        "can_take_on": "職業相談・職業紹介、専門援助部門での障害のある方への支援、職業訓練の案内。",
        "conditions": "求職の申込みが必要です。働くことへの気持ちがまだ固まっていない段階の方には、"
        "若者サポートステーションとの連携をおすすめします。",
    },
    {
        "key": "saposute",
        "name": "みなと地域若者サポートステーション",
        "name_kana": "みなとちいきわかものさぽーとすてーしょん",
        "sector": Sector.EMPLOYMENT,
        "address": "みなと市駅前通1丁目2番5号 駅前プラザ3階",
        "phone": "099-555-0200",
        "email": "info@minato-saposute.example.jp",
        "website": "https://minato-saposute.example.jp/",
        "contact_route": "キャリアコンサルタントが個別相談を行います。電話またはメールで初回面談を"
        "ご予約ください。",
        "can_take_on": "働くことに向けた個別相談、コミュニケーション講座、職場体験、"
        "就職後の定着支援。",
        "conditions": "15歳から49歳までの方が対象です。本人の来所が前提ですが、初回は家族だけの"
        "ご相談もお受けします。",
    },
    {
        "key": "npo",
        "name": "NPO法人みなと居場所ネット ひだまり",
        "name_kana": "えぬぴーおーほうじんみなといばしょねっと ひだまり",
        "sector": Sector.NPO,
        "address": "みなと市浜町3丁目9番12号",
        "phone": "099-555-0210",
        "email": "hidamari@hidamari-minato.example.jp",
        "website": "https://hidamari-minato.example.jp/",
        "contact_route": "代表または相談員へお電話ください。居場所の見学は随時受け付けています。",
        "can_take_on": "ひきこもり当事者の居場所の運営（週3回）、ピアサポーターによる相談、"
        "外出への同行、趣味ごとのグループ活動。",
        "conditions": "居場所の参加者はひきこもり状態にある本人に限ります。初回は支援者の同行を"
        "お願いすることがあります。",
    },
    {
        "key": "kazokukai",
        "name": "みなとひきこもり家族会 ともしびの会",
        "name_kana": "みなとひきこもりかぞくかい ともしびのかい",
        "sector": Sector.FAMILY_ASSOCIATION,
        "address": "",
        "phone": "099-555-0220",
        "email": "tomoshibi@tomoshibi-kai.example.jp",
        "website": "https://tomoshibi-kai.example.jp/",
        "contact_route": "事務局のメールへご連絡ください。月例会の日程は相談支援課でもご案内して"
        "います。",
        "can_take_on": "家族同士の語り合い（月例会・月1回）、家族向けの学習会、相談支援課との"
        "共催セミナー。",
        "conditions": "ひきこもり状態にある方のご家族なら、どなたでも参加できます（参加費無料）。"
        "会員の個人情報は外部に提供しません。",
    },
    {
        "key": "fukushisomu",
        "name": "みなと市福祉総務課",
        "name_kana": "みなとしふくしそうむか",
        "sector": Sector.MUNICIPAL,
        "address": "みなと市中央町1丁目1番1号 みなと市役所2階",
        "phone": "099-555-0230",
        "email": "fukushi-somu@city.minato.example.jp",
        "website": "https://city.minato.example.jp/fukushi/",
        "contact_route": "地域福祉係へ電話または庁内メールでご連絡ください。",
        "can_take_on": "地域福祉計画との調整、重層的支援体制整備事業の総合調整、"
        "生活保護や各種福祉制度の担当課へのつなぎ。",
        "conditions": "個別の支援は行わず、制度や部署の間の調整を担当します。",
    },
    {
        "key": "shogai",
        "name": "みなと市障害福祉課",
        "name_kana": "みなとししょうがいふくしか",
        "sector": Sector.MUNICIPAL,
        "address": "みなと市中央町1丁目1番1号 みなと市役所2階",
        "phone": "099-555-0240",
        "email": "shogai@city.minato.example.jp",
        "website": "https://city.minato.example.jp/shogai/",
        "contact_route": "障害福祉サービスのご相談は相談支援係へ。窓口・電話のどちらでも"
        "受け付けます。",
        "can_take_on": "障害者手帳・自立支援医療の申請案内、障害福祉サービスの支給決定、"
        "基幹相談支援センターとの連携。",
        "conditions": "サービスの利用には申請と聞き取り調査が必要で、決定まで1か月ほどかかります。",
    },
    {
        "key": "law",
        "name": "みなと桜通り法律事務所",
        "name_kana": "みなとさくらどおりほうりつじむしょ",
        "sector": Sector.LEGAL,
        "address": "みなと市桜通5丁目4番8号 桜通りビル6階",
        "phone": "099-555-0250",
        "email": "office@sakuradori-law.example.jp",
        "website": "https://sakuradori-law.example.jp/",
        "contact_route": "お電話で相談日時をご予約ください。関係機関からのご紹介の場合は、"
        "その旨をお伝えください。",
        "can_take_on": "家族関係・相続・借金などの法律相談、成年後見などの申立て支援、"
        "ケース会議での法的助言（オンライン参加可）。",
        "conditions": "初回相談（30分）は無料です。以降は法テラスの民事法律扶助を利用できる場合が"
        "あります。",
    },
]

COORDINATOR, AUDITOR, ADMIN = StaffRole.Role.COORDINATOR, StaffRole.Role.AUDITOR, "admin"
REPS, PRACT = Tier.REPRESENTATIVES, Tier.PRACTITIONERS
Q = Qualification

# The people: (username, display name, agency key or None, job title, qualifications, role).
# A tier as the role seats the agency in that tier with the person designated.
PEOPLE = [
    ("demo_admin", "デモ 管理者", None, "システム管理者", [], ADMIN),
    ("soudan_coordinator", "浜田 千尋", "soudan", "主査（事務局）",
     [Q.PSYCHIATRIC_SOCIAL_WORKER, Q.SOCIAL_WORKER], COORDINATOR),
    ("demo_auditor", "安田 直子", None, "個人情報保護監査担当", [], AUDITOR),
    # 代表者会議: heads of the member agencies.
    ("hokenjo_head", "村井 義之", "hokenjo", "所長", [Q.PHYSICIAN], REPS),
    ("hospital_head", "大西 健一", "hospital", "精神神経科部長", [Q.PHYSICIAN], REPS),
    ("shakyo_head", "中野 和夫", "shakyo", "事務局長", [Q.SOCIAL_WORKER], REPS),
    ("kyoiku_head", "小池 隆", "kyoiku", "学校教育課長", [Q.TEACHER], REPS),
    ("hellowork_head", "三宅 誠", "hellowork", "所長", [], REPS),
    ("kazokukai_head", "長谷川 節子", "kazokukai", "会長", [], REPS),
    ("fukushisomu_head", "川口 浩二", "fukushisomu", "福祉総務課長", [], REPS),
    ("shogai_head", "坂本 正人", "shogai", "障害福祉課長", [], REPS),
    # 実務者会議: frontline staff.
    ("soudan_staff", "岡本 遥", "soudan", "相談員",
     [Q.CLINICAL_PSYCHOLOGIST, Q.CERTIFIED_PSYCHOLOGIST], PRACT),
    ("hokenjo_staff", "吉川 美穂", "hokenjo", "保健師（精神保健福祉担当）",
     [Q.PUBLIC_HEALTH_NURSE], PRACT),
    ("hospital_staff", "森下 彩", "hospital", "地域医療連携室 精神保健福祉士",
     [Q.PSYCHIATRIC_SOCIAL_WORKER], PRACT),
    ("clinic_staff", "藤井 亮介", "clinic", "臨床心理士",
     [Q.CLINICAL_PSYCHOLOGIST, Q.CERTIFIED_PSYCHOLOGIST], PRACT),
    ("shakyo_staff", "石田 恵", "shakyo", "コミュニティソーシャルワーカー",
     [Q.SOCIAL_WORKER], PRACT),
    ("houkatsu_staff", "松尾 直樹", "houkatsu", "社会福祉士",
     [Q.SOCIAL_WORKER, Q.CARE_MANAGER], PRACT),
    ("konkyu_staff", "西村 由香", "konkyu", "主任相談支援員", [Q.SOCIAL_WORKER], PRACT),
    ("tekio_staff", "上田 真理子", "tekio", "指導員", [Q.TEACHER], PRACT),
    ("saposute_staff", "平野 翔太", "saposute", "キャリアコンサルタント",
     [Q.CAREER_CONSULTANT], PRACT),
    ("npo_staff", "竹内 悠", "npo", "相談員（ピアサポーター）", [Q.PEER_SUPPORTER], PRACT),
    ("shogai_staff", "野口 沙織", "shogai", "相談支援係 主査",
     [Q.PSYCHIATRIC_SOCIAL_WORKER], PRACT),
    ("law_staff", "高橋 悟", "law", "弁護士", [Q.LAWYER], PRACT),
]  # fmt: skip

# Demo cases: invented, de-identified (they pass the screening), written by practitioners.
DEMO_CASES = [
    {
        "author": "clinic_staff",
        "submit": True,
        "title": "長期化したひきこもりと高齢の両親",
        "age_band": "40s",
        "gender": "male",
        "household": "with_parents",
        "withdrawal_duration": "10_20y",
        "consent_basis": "family",
        "summary": "40代の本人は大学中退後、15年ほど自宅で過ごしている。"
        "70代の両親が通院の付き添いをきっかけに当院へ相談した。",
        "history": "数年前に一度精神科を受診したが継続しなかった。"
        "昨年から父親の体調が悪化し、母親の負担が大きくなっている。",
        "current_support": "当院の精神保健福祉士が母親と月1回面談している。本人とは会えていない。",
        "difficulties": "本人との接点がなく、両親亡き後の生活の見通しが立たない。",
        "questions": "訪問による本人への働きかけと、家族支援・経済面の役割分担を検討したい。",
    },
    {
        "author": "hokenjo_staff",
        "submit": True,
        "title": "不登校から続くひきこもり",
        "age_band": "20s",
        "gender": "female",
        "household": "with_parents",
        "withdrawal_duration": "5_10y",
        "consent_basis": "person",
        "summary": "中学2年から不登校となり、その後も自宅中心の生活が続いている。"
        "最近、本人から外に出たい気持ちがあると話があった。",
        "history": "適応指導教室に一時通ったが、高校進学後に再び外出が減った。",
        "current_support": "保健師が2か月に1回家庭訪問し、本人と短時間話せている。",
        "difficulties": "人の多い場所への不安が強く、次の一歩となる場が見つからない。",
        "questions": "居場所や就労準備の場につなぐ順序と、担当機関を決めたい。",
    },
    {
        "author": "shakyo_staff",
        "submit": False,
        "title": "生活困窮と社会的孤立",
        "age_band": "50s",
        "gender": "male",
        "household": "alone",
        "withdrawal_duration": "3_5y",
        "consent_basis": "anonymised",
        "summary": "50代で単身。失職後に外出が減り、家賃の滞納が続いている。",
        "history": "民生委員からの連絡で社会福祉協議会が関わり始めた。",
        "current_support": "生活福祉資金の相談に応じている。",
        "difficulties": "支援を受けることへの抵抗感が強い。",
        "questions": "生活困窮者自立相談支援機関との連携の進め方を相談したい。",
    },
]

# A review of the first demo case (by the coordinator, outside a meeting), its roles half
# answered: the clinic leads and the 保健所 visits (both agreed), the NPO's place to belong
# still waits for its answer, so finalising it from the demo shows what is missing.
DEMO_MEETING = {
    "title": "第3回 事例検討会",
    "location": "みなと市役所 本庁舎5階 第2会議室",
    "case_title": "不登校から続くひきこもり",
}

DEMO_REVIEW = {
    "case_title": "長期化したひきこもりと高齢の両親",
    "assessment": "本人は外出への不安が強く、両親は高齢で支援疲れがみられる。"
    "家族を通じた働きかけから始めるのがよい。",
    "support_direction": "家族支援を続けながら訪問で本人との接点をつくり、"
    "居場所への参加を段階的に目指す。",
    "roles": [
        (
            "clinic",
            "clinic_staff",
            "lead",
            "current",
            "母親との月1回の面談を継続し、支援全体をまとめる。",
        ),
        (
            "hokenjo",
            "hokenjo_staff",
            "outreach",
            "current",
            "2か月に1回の家庭訪問で本人への声かけを続ける。",
        ),
        (
            "npo",
            None,
            "place_to_belong",
            "new",
            "本人が来られる時間帯の居場所プログラムを用意する。",
        ),
    ],
}

ROLE_LABELS = {
    ADMIN: "プラットフォーム管理者 (platform admin)",
    COORDINATOR: "事務局コーディネーター (coordinator)",
    AUDITOR: "監査担当 (auditor)",
    REPS: "代表者会議 委員 (representative)",
    PRACT: "実務者会議 委員 (practitioner)",
}


class Command(BaseCommand):
    help = (
        "デモ用のネットワーク（みなと市）を作成します。"
        "(Create a demo network with agencies, people and memberships; local use only.)"
    )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "この環境ではデモデータを作成できません（DEMO_DATA_ALLOWED が False）。"
                "load_demo は公開されたパスワードのアカウントを作るため、本番環境では実行"
                "できません。 (Demo data is not allowed here: load_demo creates accounts with "
                "a published password. Run it locally, with DJANGO_DEBUG=1.)"
            )
        try:
            with transaction.atomic():
                network, logins, created = self._load()
        except ValidationError as error:
            raise CommandError(
                f"デモデータを作成できませんでした (could not load the demo data): {error}"
            ) from error
        self._report(network, logins, created)

    def _load(self):
        created = Counter()
        agencies = {}
        for row in AGENCIES:
            fields = {k: v for k, v in row.items() if k != "key"}
            agency = Agency.objects.filter(name=row["name"]).first()
            if agency is None:
                agency = agency_services.agency_create(**fields)
                created["agencies"] += 1
            agencies[row["key"]] = agency

        network = Network.objects.filter(
            name=NETWORK["name"], municipality=NETWORK["municipality"]
        ).first()
        if network is None:
            network = network_services.network_create(
                **NETWORK, secretariat_agency=agencies[SECRETARIAT]
            )
            created["networks"] += 1
        elif network.require_two_factor:
            # A demo network made before the setting existed got the model's default (on).
            network = network_services.network_update(network=network, require_two_factor=False)

        logins, seats, signers = [], defaultdict(list), []
        for username, display_name, key, job_title, qualifications, role in PEOPLE:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = agency_services.user_create(
                    username=username,
                    password=DEMO_PASSWORD,
                    display_name=display_name,
                    email=f"{username.replace('_', '.')}@demo.minato.example.jp",
                    agency=agencies.get(key),
                    job_title=job_title,
                    qualifications=list(qualifications),
                )
                if role == ADMIN:
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                created["users"] += 1
                logins.append((user, role, True))
            else:
                logins.append((user, role, False))
            if role in (COORDINATOR, AUDITOR):
                created["staff_roles"] += network_services.staff_role_add(
                    network=network, user=user, role=role
                )[1]
            if role in Tier.values:
                seats[key, role].append(user)
            if role in (COORDINATOR, *Tier.values):
                signers.append(user)
            if username in DEMO_TOTP_USERS and not signin_selectors.has_authenticator(user):
                signin_services.authenticator_set(
                    user=user, secret=base64.b32decode(DEMO_TOTP_SECRET), name="demo"
                )

        today = clock.today()
        starts_on, _ = fiscal_year_bounds(fiscal_year_of(today))
        for (key, tier), people in seats.items():
            seated = Membership.objects.current(today).filter(
                network=network, agency=agencies[key], tier=tier
            )
            if not seated.exists():
                network_services.membership_create(
                    network=network,
                    agency=agencies[key],
                    tier=tier,
                    starts_on=starts_on,
                    designated_people=people,
                )
                created["memberships"] += 1

        for person in signers:
            created["pledges"] += network_services.pledge_sign(person=person, network=network)[1]

        for row in DEMO_CASES:
            author = User.objects.get(username=row["author"])
            if Case.objects.filter(
                network=network, submitting_agency=author.agency, title=row["title"]
            ).exists():
                continue
            facts = {k: v for k, v in row.items() if k not in ("author", "submit")}
            case = case_services.case_create(author=author, network=network, **facts)
            if row["submit"]:
                case_services.case_submit(actor=author, case=case)
            created["cases"] += 1
        created["reviews"] += self._demo_review(network, agencies)
        created["meetings"] += self._demo_meeting(network)
        return network, logins, created

    def _demo_meeting(self, network) -> int:
        """A case conference a week from today, convened (every practitioner is invited),
        with the submitted case not yet reviewed on its agenda: what a member finds on
        their home page and in 会議."""
        if Meeting.objects.filter(network=network, title=DEMO_MEETING["title"]).exists():
            return 0
        coordinator = User.objects.get(username="soudan_coordinator")
        day = clock.today() + timedelta(days=7)
        starts_at = datetime.combine(day, time(14, 0), tzinfo=timezone.get_current_timezone())
        meeting = meeting_services.meeting_create(
            actor=coordinator,
            network=network,
            kind="case_conference",
            title=DEMO_MEETING["title"],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            location=DEMO_MEETING["location"],
        )
        case = Case.objects.filter(
            network=network, title=DEMO_MEETING["case_title"], status=CaseStatus.SUBMITTED
        ).first()
        if case is not None:
            meeting_services.agenda_item_add(
                actor=coordinator, meeting=meeting, kind="case_review", case=case
            )
        meeting_services.meeting_convene(actor=coordinator, meeting=meeting)
        return 1

    def _demo_review(self, network, agencies) -> int:
        case = Case.objects.filter(
            network=network, title=DEMO_REVIEW["case_title"], status=CaseStatus.SUBMITTED
        ).first()
        if case is None or case.reviews.exists():
            return 0
        coordinator = User.objects.get(username="soudan_coordinator")
        review = review_services.review_create(
            actor=coordinator,
            case=case,
            assessment=DEMO_REVIEW["assessment"],
            support_direction=DEMO_REVIEW["support_direction"],
            next_review_on=clock.today() + timedelta(days=90),
        )
        for key, answerer, function, involvement, tasks in DEMO_REVIEW["roles"]:
            role = review_services.role_add(
                actor=coordinator,
                review=review,
                agency=agencies[key],
                function=function,
                involvement=involvement,
                tasks=tasks,
                due_on=clock.today() + timedelta(days=60),
            )
            if answerer:
                review_services.role_agree(actor=User.objects.get(username=answerer), role=role)
        return 1

    def _report(self, network, logins, created):
        out = self.stdout
        out.write(f"ネットワーク (network): {network.name}（{network.municipality}）")
        out.write(
            "今回作成 (created this run): "
            f"機関 (agencies) {created['agencies']}, "
            f"ネットワーク (networks) {created['networks']}, "
            f"ユーザー (users) {created['users']}, "
            f"スタッフ役割 (staff roles) {created['staff_roles']}, "
            f"構成機関の席 (memberships) {created['memberships']}, "
            f"守秘義務誓約 (pledges) {created['pledges']}, "
            f"事例 (cases) {created['cases']}, "
            f"事例検討 (reviews) {created['reviews']}, "
            f"会議 (meetings) {created['meetings']}"
        )
        out.write("")
        out.write(
            f"デモ用ログイン (demo logins) — 共通パスワード (shared password): {DEMO_PASSWORD}"
        )
        rows = [
            (
                "ユーザー名 (username)",
                "パスワード (password)",
                "役割 (role)",
                "所属 (agency)",
                "氏名・職名 (name, title)",
                "状態 (status)",
            )
        ]
        for user, role, is_new in logins:
            rows.append(
                (
                    user.username,
                    DEMO_PASSWORD,
                    ROLE_LABELS[role],
                    user.agency.name if user.agency else "所属なし (no agency)",
                    f"{user.display_name} {user.job_title}".strip(),
                    "作成 (created)" if is_new else "既存 (existing)",
                )
            )
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for number, row in enumerate(rows):
            out.write(
                " | ".join(
                    _pad(cell, width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if number == 0:
                out.write("-+-".join("-" * width for width in widths))
        out.write("")
        out.write(
            "ウェブ画面 (web pages): http://127.0.0.1:8000/ で上のユーザー名とパスワードで"
            "ログインします（例: npo_staff）。 (Log in at http://127.0.0.1:8000/ with a login "
            "above, e.g. npo_staff.)"
        )
        out.write(
            "二要素認証 (second factor): デモのネットワークは求めません。API のログインは"
            "パスワードだけで事例の内容まで読めます。 (The demo network does not require it: "
            "API logins read case content with the password alone.)"
        )
        out.write(
            "管理画面 (/admin/) は二要素認証が必要です (the admin requires it). "
            f"{', '.join(DEMO_TOTP_USERS)} の認証アプリの鍵 (authenticator key, published, "
            f"local use only): {DEMO_TOTP_SECRET}"
        )
        out.write(
            "  コードの計算 (a code without a phone): .venv/bin/python -c "
            '"import base64,sys;from django_otp.oath import totp;'
            "print('%06d' % totp(base64.b32decode(sys.argv[1])))\" "
            f"{DEMO_TOTP_SECRET}"
        )
        out.write(
            "soudan_coordinator などは初めて管理画面を開くときに QR コードで認証アプリを設定"
            "します。 (Other staff set up an authenticator from a QR code on their first visit.)"
        )
        out.write("")
        out.write(
            "既存のアカウントのパスワードは変更していません。デモ専用です。本番環境では使わないで"
            "ください。 (Existing accounts keep their password. Demo only: never in production.)"
        )


def _width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
