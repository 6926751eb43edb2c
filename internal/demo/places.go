package demo

// prefecture is one of Japan's 47 prefectures with a sampling weight.
// Weights are skewed toward the big metropolitan areas, as they would be for
// the staff of a Tokyo-headquartered company.
type prefecture struct {
	NameJA, NameEN string
	Weight         int
}

// prefectures are in the standard JIS X 0401 order (北海道 = 01 ... 沖縄県 = 47).
var prefectures = []prefecture{
	{"北海道", "Hokkaido", 20},
	{"青森県", "Aomori", 2},
	{"岩手県", "Iwate", 2},
	{"宮城県", "Miyagi", 10},
	{"秋田県", "Akita", 1},
	{"山形県", "Yamagata", 1},
	{"福島県", "Fukushima", 2},
	{"茨城県", "Ibaraki", 6},
	{"栃木県", "Tochigi", 4},
	{"群馬県", "Gunma", 4},
	{"埼玉県", "Saitama", 45},
	{"千葉県", "Chiba", 40},
	{"東京都", "Tokyo", 320},
	{"神奈川県", "Kanagawa", 120},
	{"新潟県", "Niigata", 4},
	{"富山県", "Toyama", 2},
	{"石川県", "Ishikawa", 3},
	{"福井県", "Fukui", 1},
	{"山梨県", "Yamanashi", 2},
	{"長野県", "Nagano", 4},
	{"岐阜県", "Gifu", 3},
	{"静岡県", "Shizuoka", 8},
	{"愛知県", "Aichi", 70},
	{"三重県", "Mie", 3},
	{"滋賀県", "Shiga", 3},
	{"京都府", "Kyoto", 18},
	{"大阪府", "Osaka", 90},
	{"兵庫県", "Hyogo", 25},
	{"奈良県", "Nara", 3},
	{"和歌山県", "Wakayama", 1},
	{"鳥取県", "Tottori", 1},
	{"島根県", "Shimane", 1},
	{"岡山県", "Okayama", 5},
	{"広島県", "Hiroshima", 10},
	{"山口県", "Yamaguchi", 2},
	{"徳島県", "Tokushima", 1},
	{"香川県", "Kagawa", 2},
	{"愛媛県", "Ehime", 2},
	{"高知県", "Kochi", 1},
	{"福岡県", "Fukuoka", 60},
	{"佐賀県", "Saga", 1},
	{"長崎県", "Nagasaki", 2},
	{"熊本県", "Kumamoto", 3},
	{"大分県", "Oita", 2},
	{"宮崎県", "Miyazaki", 1},
	{"鹿児島県", "Kagoshima", 2},
	{"沖縄県", "Okinawa", 5},
}
