package vocab

// The vocabularies of users, CPOR claims and solution areas.
var (
	// UserRoles are Partner Center's roles for referrals and incentives.
	UserRoles = New("role", "user role",
		Term{"referrals-admin", "Referrals admin", []string{"referral admin", "administrateur des références", "administrateur des recommandations", "admin références", "referensadministratör", "administratör för referenser"}},
		Term{"referrals-user", "Referrals user", []string{"referral user", "utilisateur des références", "utilisateur des recommandations", "referensanvändare", "användare för referenser"}},
		Term{"incentives-admin", "Incentives admin", []string{"incentive admin", "administrateur des incitations", "incitatifs admin", "incitamentsadministratör"}},
		Term{"incentives-user", "Incentives user", []string{"incentive user", "utilisateur des incitations", "incitamentsanvändare"}},
	)

	// Engagements are the incentive engagements whose partners may claim
	// customers (CPOR); slugs are bot/cpor's.
	Engagements = New("engagement", "incentive engagement",
		Term{"bizapps-presales", "MCI BizApps Presales Advisor", []string{"presales advisor", "bizapps presales", "mci presales", "conseiller avant-vente bizapps"}},
		Term{"modern-work", "Modern Work and Security usage", []string{"modern work", "modern work security", "mws usage", "utilisation modern work et sécurité", "användning modern work och säkerhet",
			"Utilisation moderne du travail et de la sécurité"}}, // Partner Center's French (seed 003)
		Term{"bizapps-usage", "Usage recognition – Biz Apps", []string{"bizapps usage", "usage recognition", "reconnaissance de l'utilisation biz apps", "användningserkännande biz apps",
			"Reconnaissance de l’utilisation - Applications Biz", "Reconnaissance de l'utilisation - Applications Biz"}},
		Term{"bizapps-revenue", "Microsoft Business Applications revenue", []string{"bizapps revenue", "business applications revenue", "revenus business applications", "intäkter business applications",
			"Chiffre d’affaires microsoft Business Applications", "Chiffre d'affaires Microsoft Business Applications"}},
	)

	// Areas are Microsoft's solution areas as Partner Center lists them on a
	// co-sell deal (the three areas of FY25 onward, and the six earlier ones
	// that older deals and CRMs still carry).
	Areas = New("area", "solution area",
		Term{"ai-business-solutions", "AI Business Solutions", []string{"ai business", "solutions métier ia", "ai-affärslösningar"}},
		Term{"cloud-ai-platforms", "Cloud & AI Platforms", []string{"cloud ai", "cloud and ai", "plateformes cloud et ia", "moln- och ai-plattformar"}},
		Term{"security", "Security", []string{"sécurité", "säkerhet"}},
		Term{"data-ai", "Data & AI", []string{"data ai", "données et ia", "data och ai"}},
		Term{"digital-app-innovation", "Digital & App Innovation", []string{"app innovation", "innovation numérique et applicative", "digital- och appinnovation"}},
		Term{"infrastructure", "Infrastructure", []string{"azure infrastructure", "infra", "infrastruktur"}},
		Term{"business-applications", "Business Applications", []string{"bizapps", "biz apps", "applications métier", "affärsapplikationer"}},
		Term{"modern-work", "Modern Work", []string{"travail moderne", "modernt arbete"}},
	)

	// Plays are the solution plays under those areas.
	Plays = New("play", "solution play",
		// AI Business Solutions
		Term{"copilot-agents-at-work", "Copilot and Agents at Work", []string{"copilot", "agents at work", "ai workforce", "copilot et agents au travail"}},
		Term{"converged-communications", "Converged Communications", []string{"teams phone", "communications convergées"}},
		Term{"modern-endpoints", "Scale with Cloud and AI Endpoints", []string{"cloud endpoints", "modern endpoints", "windows endpoints"}},
		Term{"sales-transformation", "Sales Transformation with AI", []string{"sales", "sales transformation", "transformation des ventes"}},
		Term{"service-transformation", "Service Transformation with AI", []string{"service", "customer service", "transformation du service"}},
		Term{"finance-supply-chain", "Finance and Supply Chain Transformation with AI", []string{"erp", "finance and supply chain", "finance et chaîne logistique", "ekonomi och leveranskedja"}},
		Term{"biz-apps-migrate", "Migrate and Modernize Business Applications", []string{"migrate business applications", "dynamics migration"}},
		Term{"low-code", "AI and Low Code", []string{"power platform", "low code", "faible code", "lågkod"}},
		// Cloud & AI Platforms
		Term{"migrate-modernize", "Migrate and Modernize Your Estate", []string{"migrate", "migration", "infra and database migration", "migrer et moderniser", "migrera och modernisera"}},
		Term{"unify-data", "Unify Your Data Platform", []string{"data platform", "analytics", "fabric", "unifier vos données", "dataplattform"}},
		Term{"innovate-ai-apps", "Innovate with Azure AI Apps and Agents", []string{"azure ai", "ai apps", "build ai apps", "innover avec l'ia azure"}},
		// Security
		Term{"modern-secops", "Modern SecOps with Unified Platform", []string{"secops", "sentinel", "siem"}},
		Term{"protect-cloud-ai", "Protect Cloud, AI Platform and Apps", []string{"cloud security", "protect cloud"}},
		Term{"data-security", "Data Security", []string{"purview", "sécurité des données", "datasäkerhet"}},
		Term{"identity-access", "Secure Identities and Access", []string{"identity", "entra", "identités", "identitet"}},
	)
)
