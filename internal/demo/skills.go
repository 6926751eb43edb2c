package demo

// skill is a profile skill. Person.Skills carries the Japanese label; the
// English label is for display in English UIs. Groups tie skills to
// departments (see deptSpec.SkillGroups); "general" skills suit anyone.
type skill struct {
	JA, EN string
	Groups []string
}

var skills = []skill{
	// Sales / customer success
	{"法人営業", "B2B sales", []string{"sales"}},
	{"個人営業", "B2C sales", []string{"sales"}},
	{"新規開拓", "Business development", []string{"sales"}},
	{"提案書作成", "Proposal writing", []string{"sales", "planning"}},
	{"交渉", "Negotiation", []string{"sales", "legal"}},
	{"アカウントマネジメント", "Account management", []string{"sales", "cs"}},
	{"カスタマーサポート", "Customer support", []string{"cs"}},
	{"オンボーディング", "Customer onboarding", []string{"cs"}},
	{"解約防止施策", "Churn reduction", []string{"cs", "data"}},
	// Engineering / infrastructure / QA
	{"Go", "Go", []string{"eng"}},
	{"Python", "Python", []string{"eng", "data"}},
	{"Java", "Java", []string{"eng"}},
	{"TypeScript", "TypeScript", []string{"eng"}},
	{"React", "React", []string{"eng", "design"}},
	{"SQL", "SQL", []string{"eng", "data", "infra"}},
	{"AWS", "AWS", []string{"eng", "infra"}},
	{"Kubernetes", "Kubernetes", []string{"eng", "infra"}},
	{"iOS開発", "iOS development", []string{"eng"}},
	{"Android開発", "Android development", []string{"eng"}},
	{"セキュリティ", "Security", []string{"infra", "eng"}},
	{"ネットワーク構築", "Network engineering", []string{"infra"}},
	{"社内SE", "Corporate IT", []string{"infra"}},
	{"ヘルプデスク", "Help desk", []string{"infra", "cs"}},
	{"テスト自動化", "Test automation", []string{"qa", "eng"}},
	{"テスト設計", "Test design", []string{"qa"}},
	{"品質管理", "Quality control", []string{"qa"}},
	// Data
	{"データ分析", "Data analysis", []string{"data", "marketing"}},
	{"機械学習", "Machine learning", []string{"data"}},
	{"統計解析", "Statistical analysis", []string{"data"}},
	{"BIツール", "BI tools", []string{"data", "planning"}},
	// Marketing / PR
	{"デジタルマーケティング", "Digital marketing", []string{"marketing"}},
	{"SEO", "SEO", []string{"marketing"}},
	{"広告運用", "Ad operations", []string{"marketing"}},
	{"コンテンツ制作", "Content creation", []string{"marketing", "pr"}},
	{"ブランディング", "Branding", []string{"marketing", "pr", "design"}},
	{"市場調査", "Market research", []string{"marketing", "planning", "product"}},
	{"プレスリリース作成", "Press release writing", []string{"pr"}},
	{"メディアリレーション", "Media relations", []string{"pr"}},
	// HR
	{"採用", "Recruiting", []string{"hr"}},
	{"労務管理", "Labor management", []string{"hr", "admin"}},
	{"人材育成", "Talent development", []string{"hr"}},
	{"人事制度設計", "HR system design", []string{"hr"}},
	// Finance / accounting / planning
	{"簿記", "Bookkeeping", []string{"finance"}},
	{"財務分析", "Financial analysis", []string{"finance", "planning"}},
	{"予算管理", "Budget management", []string{"finance", "planning"}},
	{"税務", "Tax", []string{"finance"}},
	{"管理会計", "Management accounting", []string{"finance"}},
	{"IFRS", "IFRS", []string{"finance"}},
	{"事業計画策定", "Business planning", []string{"planning"}},
	{"M&A", "M&A", []string{"planning", "legal"}},
	{"経営戦略", "Corporate strategy", []string{"planning"}},
	{"IR", "Investor relations", []string{"planning", "pr"}},
	// Legal / general affairs
	{"契約書レビュー", "Contract review", []string{"legal"}},
	{"コンプライアンス", "Compliance", []string{"legal", "admin"}},
	{"知的財産", "Intellectual property", []string{"legal"}},
	{"労働法", "Labor law", []string{"legal", "hr"}},
	{"ファシリティ管理", "Facility management", []string{"admin"}},
	{"社内イベント企画", "Internal event planning", []string{"admin", "hr"}},
	{"株主総会運営", "Shareholder meeting administration", []string{"admin", "legal"}},
	// Product / design
	{"プロダクトマネジメント", "Product management", []string{"product"}},
	{"要件定義", "Requirements definition", []string{"product", "eng"}},
	{"ユーザーリサーチ", "User research", []string{"product", "design"}},
	{"UIデザイン", "UI design", []string{"design"}},
	{"UXデザイン", "UX design", []string{"design", "product"}},
	{"Figma", "Figma", []string{"design"}},
	{"グラフィックデザイン", "Graphic design", []string{"design"}},
	// General
	{"プロジェクトマネジメント", "Project management", []string{"general"}},
	{"チームマネジメント", "Team management", []string{"general"}},
	{"Excel", "Excel", []string{"general"}},
	{"プレゼンテーション", "Presentation", []string{"general"}},
	{"ビジネス英語", "Business English", []string{"general"}},
	{"中国語", "Chinese", []string{"general"}},
	{"ファシリテーション", "Facilitation", []string{"general"}},
	{"業務改善", "Process improvement", []string{"general"}},
}
