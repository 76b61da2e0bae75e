/** What the demo shop serves and who asks for it: paths, assets, user agents, referers. */

export const SHOP_URL = 'https://shop.example.com';

/** The two endpoints the attacker abused; customers use them too, for their own orders. */
export const IMEI_LOOKUP_PATH = '/support/orders/lookup';
export const ORDER_API_PATH = '/api/v2/orders/';

export const PRODUCTS = [
  'nova-8-pro-256gb-midnight',
  'nova-8-pro-128gb-aurora',
  'nova-8-128gb-coral',
  'nova-8-lite-64gb-black',
  'nova-7-se-128gb-silver',
  'tab-s5-10-wifi-64gb',
  'tab-s5-10-lte-128gb',
  'watch-gt-2-46mm-sport',
  'watch-gt-2-42mm-classic',
  'band-5-graphite',
  'buds-pro-anc-white',
  'buds-lite-black',
  'supercharge-65w-usb-c',
  'wireless-charger-15w',
  'usb-c-cable-2m',
  'nova-8-pro-silicone-case-navy',
  'nova-8-flip-cover-leather',
  'tempered-glass-nova-8',
  'power-bank-10000mah',
  'smart-speaker-mini',
];

export const CATEGORIES = ['phones', 'tablets', 'wearables', 'audio', 'accessories', 'deals', 'refurbished'];

/** Search queries as browsers percent-encode them; customers search in their own languages. */
export const SEARCHES = [
  'nova+8',
  'nova+8+pro+case',
  'wireless+charger',
  'screen+protector',
  '%C3%A9couteurs+sans+fil',
  'h%C3%BClle+nova+8',
  'funda+m%C3%B3vil',
  'cover+nova+8',
  'usb-c+kabel',
  'smartwatch',
  'caricatore+rapido',
  'watch+gt+2+strap',
  'tablet+10+zoll',
  'refurbished+phone',
];

/** Static assets with their sizes in bytes. */
export const ASSETS: readonly (readonly [path: string, bytes: number])[] = [
  ['/static/js/app.7f3c2a1e.js', 412_311],
  ['/static/js/vendor.91bd04c2.js', 1_203_554],
  ['/static/js/checkout.2e6d90aa.js', 98_410],
  ['/static/css/main.4e8a0b13.css', 187_002],
  ['/static/fonts/inter-var.woff2', 96_120],
  ['/static/img/logo.svg', 4_812],
  ['/static/img/hero-nova-8.webp', 243_880],
  ['/favicon.ico', 15_086],
  ...PRODUCTS.map((product, i) => [`/images/products/${product}-1.webp`, 48_000 + i * 3_517] as const),
];

/** Browsers of late 2019, mobile first. */
export const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.97 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/77.0.3865.120 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:70.0) Gecko/20100101 Firefox/70.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.18363',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.3 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.87 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:70.0) Gecko/20100101 Firefox/70.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 13_1_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 12_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 13_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.3 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 10; SM-G975F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.96 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 9; SM-A505FN) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.62 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 9; ELE-L29) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/77.0.3865.116 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 9; SAMSUNG SM-G960F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/10.2 Chrome/71.0.3578.99 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; Pixel 3) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Mobile Safari/537.36',
];

/** Crawlers and their address blocks (first three octets are fixed, the last varies). */
export const CRAWLERS: readonly (readonly [userAgent: string, network: string])[] = [
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', '66.249.66.'],
  ['Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2272.96 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', '66.249.79.'],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', '157.55.39.'],
  ['Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)', '54.36.148.'],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', '5.255.253.'],
];

/** Internet background noise: scanners probing for software the shop does not run. */
export const SCANNER_AGENTS = ['Mozilla/5.0 zgrab/0.x', 'curl/7.58.0', 'Mozilla/5.0 (compatible; Nimbostratus-Bot/v1.3.2; http://cloudsystemnetworks.com)'];
export const SCANNED_PATHS = ['/wp-login.php', '/.env', '/phpmyadmin/index.php', '/.git/config', '/admin/config.php', '/xmlrpc.php'];

export const UPTIME_MONITOR = ['Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)', '69.162.124.'] as const;

export const EXTERNAL_REFERERS = [
  'https://www.google.com/',
  'https://www.google.fr/',
  'https://www.google.de/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://t.co/',
  'https://www.facebook.com/',
  'https://l.instagram.com/',
];
