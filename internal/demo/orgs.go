package demo

// industries is the canonical industry list. Keys are stable identifiers
// that other code may persist; do not rename them.
var industries = []Industry{
	{"it", "IT・通信", "IT & Telecommunications"},
	{"finance", "金融", "Finance"},
	{"manufacturing", "製造", "Manufacturing"},
	{"consulting", "コンサルティング", "Consulting"},
	{"retail", "小売・EC", "Retail & E-commerce"},
	{"healthcare", "医療・ヘルスケア", "Healthcare"},
	{"education", "教育", "Education"},
	{"public", "官公庁・公共団体", "Public sector"},
	{"media", "メディア・広告", "Media & Advertising"},
	{"logistics", "物流・運輸", "Logistics & Transportation"},
	{"real_estate", "不動産", "Real estate"},
	{"energy", "エネルギー", "Energy"},
	{"food", "食品・飲料", "Food & Beverage"},
	{"trading", "商社", "Trading"},
	{"construction", "建設", "Construction"},
	{"hr", "人材サービス", "HR services"},
	{"startup", "スタートアップ", "Startup"},
	{"other", "その他", "Other"},
}

// employer is a fictional company an alumnus may work at now. None of these
// are meant to be real companies.
type employer struct {
	NameJA, NameEN string
	Industry       string // key into industries
	Weight         int    // relative popularity as a next employer
}

var employers = []employer{
	// IT
	{"株式会社みらいソフト", "Mirai Soft Inc.", "it", 6},
	{"株式会社クラウドリンク", "CloudLink Inc.", "it", 6},
	{"ひのきシステムズ株式会社", "Hinoki Systems Co., Ltd.", "it", 5},
	{"株式会社データブリッジ", "DataBridge Inc.", "it", 4},
	{"東雲情報サービス株式会社", "Shinonome Information Services Co., Ltd.", "it", 4},
	{"株式会社ことのはテック", "Kotonoha Tech Inc.", "it", 3},
	{"ひびきテレコム株式会社", "Hibiki Telecom Co., Ltd.", "it", 3},
	// Finance
	{"若葉銀行", "Wakaba Bank, Ltd.", "finance", 4},
	{"かがやき銀行", "Kagayaki Bank, Ltd.", "finance", 3},
	{"東京みらい証券株式会社", "Tokyo Mirai Securities Co., Ltd.", "finance", 3},
	{"あさなぎ生命保険株式会社", "Asanagi Life Insurance Co., Ltd.", "finance", 2},
	{"はるかぜ信用金庫", "Harukaze Shinkin Bank", "finance", 2},
	{"株式会社つばめペイ", "Tsubame Pay Inc.", "finance", 3},
	// Trading
	{"大和田商事株式会社", "Owada Shoji Corporation", "trading", 3},
	{"丸之内物産株式会社", "Marunouchi Bussan Co., Ltd.", "trading", 3},
	{"葉山商事株式会社", "Hayama Shoji Co., Ltd.", "trading", 2},
	// Manufacturing
	{"日之出精機株式会社", "Hinode Seiki Co., Ltd.", "manufacturing", 3},
	{"北斗電機工業株式会社", "Hokuto Electric Industries Co., Ltd.", "manufacturing", 3},
	{"白鷺化学株式会社", "Shirasagi Chemical Co., Ltd.", "manufacturing", 2},
	{"大樹自動車部品株式会社", "Taiju Auto Parts Co., Ltd.", "manufacturing", 2},
	// Consulting
	{"株式会社ブライトパス・コンサルティング", "Brightpath Consulting Inc.", "consulting", 4},
	{"青山ストラテジーパートナーズ株式会社", "Aoyama Strategy Partners Co., Ltd.", "consulting", 3},
	{"株式会社アークライト総研", "Arclight Research Institute Inc.", "consulting", 2},
	// Retail
	{"株式会社まるやまストア", "Maruyama Store Co., Ltd.", "retail", 2},
	{"株式会社ひなたマート", "Hinata Mart Co., Ltd.", "retail", 2},
	{"株式会社スタイルノート", "Stylenote Inc.", "retail", 3},
	// Healthcare
	{"はなみずき製薬株式会社", "Hanamizuki Pharmaceutical Co., Ltd.", "healthcare", 2},
	{"医療法人社団 青空会", "Aozorakai Medical Corporation", "healthcare", 1},
	{"株式会社ケアリンクス", "CareLinks Inc.", "healthcare", 2},
	// Education
	{"株式会社まなびの森", "Manabinomori Inc.", "education", 2},
	{"学校法人 緑風学園", "Ryokufu Gakuen Educational Foundation", "education", 1},
	// Public sector
	{"青葉台市役所", "Aobadai City Office", "public", 1},
	{"独立行政法人 産業未来推進機構", "Industrial Future Promotion Agency", "public", 1},
	// Media & advertising
	{"株式会社ひだまり出版", "Hidamari Publishing Co., Ltd.", "media", 2},
	{"関東中央放送株式会社", "Kanto Chuo Broadcasting Co., Ltd.", "media", 1},
	{"株式会社アオイ広告社", "Aoi Advertising Inc.", "media", 2},
	// Logistics
	{"はやて運輸株式会社", "Hayate Transport Co., Ltd.", "logistics", 2},
	{"大地ロジスティクス株式会社", "Daichi Logistics Co., Ltd.", "logistics", 2},
	// Real estate
	{"桜木地所株式会社", "Sakuragi Estate Co., Ltd.", "real_estate", 2},
	{"株式会社ことぶき不動産", "Kotobuki Real Estate Co., Ltd.", "real_estate", 2},
	// Energy
	{"新緑エナジー株式会社", "Shinryoku Energy Co., Ltd.", "energy", 2},
	{"東日本グリーン電力株式会社", "East Japan Green Power Co., Ltd.", "energy", 1},
	// Food & beverage
	{"みのり食品株式会社", "Minori Foods Co., Ltd.", "food", 2},
	{"やまぶき製菓株式会社", "Yamabuki Confectionery Co., Ltd.", "food", 2},
	// Construction
	{"千歳組株式会社", "Chitose-gumi Corporation", "construction", 1},
	{"株式会社つむぎホーム", "Tsumugi Home Inc.", "construction", 2},
	// HR services
	{"株式会社キャリアブリッジ", "CareerBridge Inc.", "hr", 3},
	{"株式会社はたらくラボ", "Hataraku Lab Inc.", "hr", 2},
	// Startups
	{"株式会社ピボットラボ", "Pivot Lab Inc.", "startup", 3},
	{"株式会社ソラノテ", "Soranote Inc.", "startup", 3},
	{"株式会社エイトノット", "Eightknot Inc.", "startup", 2},
	// Other
	{"フリーランス", "Freelance", "other", 3},
	{"一般社団法人 日本ワークスタイル協会", "Japan Workstyle Association", "other", 1},
}

// Role tracks: which career ladder a department uses.
const (
	trackGeneral = "general"
	trackEng     = "eng"
	trackDesign  = "design"
	trackData    = "data"
	trackProduct = "product"
)

// deptSpec is a department of the demo company plus generation hints.
type deptSpec struct {
	Department
	Weight      int      // relative headcount
	Track       string   // role ladder
	SkillGroups []string // preferred skill groups
	// Affinity multiplies employer weights (in percent) for alumni of this
	// department, keyed by industry; missing keys mean 100.
	Affinity map[string]int
}

var departments = []deptSpec{
	{Department{"sales", "営業部", "Sales"}, 20, trackGeneral, []string{"sales"},
		map[string]int{"trading": 250, "finance": 150, "hr": 200, "real_estate": 200, "it": 120}},
	{Department{"engineering", "開発部", "Engineering"}, 20, trackEng, []string{"eng"},
		map[string]int{"it": 300, "startup": 300, "finance": 80, "retail": 80, "food": 30, "construction": 30}},
	{Department{"marketing", "マーケティング部", "Marketing"}, 8, trackGeneral, []string{"marketing"},
		map[string]int{"media": 300, "retail": 200, "food": 150, "startup": 150}},
	{Department{"hr", "人事部", "Human Resources"}, 5, trackGeneral, []string{"hr"},
		map[string]int{"hr": 400, "consulting": 150}},
	{Department{"accounting", "経理部", "Accounting"}, 4, trackGeneral, []string{"finance"},
		map[string]int{"finance": 250, "consulting": 200}},
	{Department{"legal", "法務部", "Legal"}, 2, trackGeneral, []string{"legal"},
		map[string]int{"finance": 200, "consulting": 200, "public": 200}},
	{Department{"customer_success", "カスタマーサクセス部", "Customer Success"}, 9, trackGeneral, []string{"cs", "sales"},
		map[string]int{"it": 200, "startup": 250, "hr": 150}},
	{Department{"corporate_planning", "経営企画部", "Corporate Planning"}, 3, trackGeneral, []string{"planning", "finance"},
		map[string]int{"consulting": 400, "finance": 200, "startup": 200}},
	{Department{"general_affairs", "総務部", "General Affairs"}, 3, trackGeneral, []string{"admin"},
		map[string]int{"public": 300, "manufacturing": 150, "construction": 150}},
	{Department{"public_relations", "広報部", "Public Relations"}, 2, trackGeneral, []string{"pr", "marketing"},
		map[string]int{"media": 400, "startup": 150}},
	{Department{"product", "プロダクト企画部", "Product Management"}, 6, trackProduct, []string{"product"},
		map[string]int{"it": 250, "startup": 300, "consulting": 150}},
	{Department{"design", "デザイン部", "Design"}, 4, trackDesign, []string{"design"},
		map[string]int{"media": 250, "it": 200, "startup": 250, "retail": 150}},
	{Department{"it_systems", "情報システム部", "IT Systems"}, 3, trackEng, []string{"infra"},
		map[string]int{"it": 250, "manufacturing": 150, "finance": 150}},
	{Department{"data", "データ分析部", "Data Analytics"}, 3, trackData, []string{"data"},
		map[string]int{"it": 250, "consulting": 250, "finance": 150, "startup": 200}},
	{Department{"quality", "品質保証部", "Quality Assurance"}, 3, trackEng, []string{"qa", "eng"},
		map[string]int{"it": 250, "manufacturing": 200}},
}

// role is one step on a career ladder.
type role struct {
	JA, EN string
	MinExp int // minimum years of total work experience
	Rarity int // relative weight once eligible (lower = rarer)
}

// Shared management rungs at the top of every ladder.
var (
	roleKacho  = role{"課長", "Manager", 10, 10}
	roleJicho  = role{"次長", "Deputy General Manager", 14, 4}
	roleBucho  = role{"部長", "General Manager", 16, 4}
	roleShikko = role{"執行役員", "Executive Officer", 22, 1}
)

// ladders lists the roles of each track, from junior to senior.
var ladders = map[string][]role{
	trackGeneral: {
		{"担当", "Staff", 0, 10},
		{"主任", "Senior Staff", 3, 10},
		{"係長", "Assistant Manager", 6, 10},
		{"課長代理", "Deputy Manager", 8, 8},
		roleKacho, roleJicho, roleBucho, roleShikko,
	},
	trackEng: {
		{"エンジニア", "Engineer", 0, 10},
		{"シニアエンジニア", "Senior Engineer", 4, 10},
		{"テックリード", "Tech Lead", 7, 8},
		{"エンジニアリングマネージャー", "Engineering Manager", 9, 8},
		roleKacho, roleBucho, roleShikko,
	},
	trackDesign: {
		{"デザイナー", "Designer", 0, 10},
		{"シニアデザイナー", "Senior Designer", 4, 10},
		{"リードデザイナー", "Lead Designer", 7, 8},
		roleKacho, roleBucho,
	},
	trackData: {
		{"データアナリスト", "Data Analyst", 0, 10},
		{"データサイエンティスト", "Data Scientist", 2, 10},
		{"シニアデータサイエンティスト", "Senior Data Scientist", 5, 8},
		roleKacho, roleBucho,
	},
	trackProduct: {
		{"アソシエイトプロダクトマネージャー", "Associate Product Manager", 0, 10},
		{"プロダクトマネージャー", "Product Manager", 2, 10},
		{"シニアプロダクトマネージャー", "Senior Product Manager", 6, 8},
		roleKacho, roleBucho, roleShikko,
	},
}

// managerial reports whether a role manages people (used to bias skills).
func managerial(r role) bool {
	return r.MinExp >= roleKacho.MinExp || r.EN == "Engineering Manager"
}
