/**
 * What customers look like in each country the demo shop sells to: names, phone numbers,
 * addresses, email providers and languages. Patterns use `#` for a digit and `@` for a
 * capital letter.
 */

export interface City {
  name: string;
  postcode: string;
  /** ISO 3166-2 subdivision code, where later stages care about it (US and Indian states). */
  region?: string;
}

export interface AddressParts {
  street: string;
  number: number;
  /** Flat, suite or floor; empty for most. */
  unit: string;
  city: City;
  postcode: string;
}

export interface Country {
  code: string;
  /** Share of the shop's customers. */
  weight: number;
  locales: readonly string[];
  firstNames: readonly string[];
  lastNames: readonly string[];
  phones: readonly string[];
  emailDomains: readonly string[];
  streets: readonly string[];
  units: readonly string[];
  cities: readonly City[];
  /** The address as people there write it on a parcel: street line, then postcode and city. */
  address(parts: AddressParts): string;
}

const streetFirst = ({ street, number, unit, city, postcode }: AddressParts) =>
  `${street} ${number}${unit ? `, ${unit}` : ''}\n${postcode} ${city.name}`;
const numberFirst = ({ street, number, unit, city, postcode }: AddressParts) =>
  `${unit ? `${unit}, ` : ''}${number} ${street}\n${postcode} ${city.name}`;

export const COUNTRIES: readonly Country[] = [
  {
    code: 'FR',
    weight: 14,
    locales: ['fr-FR'],
    firstNames: ['Marie', 'Jean', 'Camille', 'Léa', 'Hélène', 'François', 'Françoise', 'Chloé', 'Théo', 'Loïc', 'Nathalie', 'Sébastien', 'Aurélie', 'Mathis', 'Inès', 'Gaëlle'],
    lastNames: ['Dupont', 'Martin', 'Lefèvre', 'Bernard', 'Moreau', 'Girard', 'Faure', "N'Diaye", "D'Almeida", 'Lemaître', 'Rousseau', 'Bonnet', 'Fournier', 'Chevalier', 'Garçon', 'Mercier'],
    phones: ['+33 6 ## ## ## ##', '+33 7 ## ## ## ##', '+33 1 ## ## ## ##'],
    emailDomains: ['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'hotmail.fr', 'yahoo.fr', 'outlook.fr', 'sfr.fr'],
    streets: ['rue de la République', 'avenue Jean Jaurès', 'boulevard Voltaire', 'rue du Faubourg Saint-Honoré', "rue de l'Église", 'place du Marché', 'chemin des Écoliers', 'rue Victor Hugo'],
    units: ['Bât. B', 'Appt 12', '3e étage'],
    cities: [
      { name: 'Paris', postcode: '750##' },
      { name: 'Lyon', postcode: '6900#' },
      { name: 'Marseille', postcode: '130##' },
      { name: 'Toulouse', postcode: '310##' },
      { name: 'Nantes', postcode: '440##' },
      { name: 'Lille', postcode: '590##' },
      { name: 'Besançon', postcode: '250##' },
      { name: 'Orléans', postcode: '450##' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${number} ${street}${unit ? `, ${unit}` : ''}\n${postcode} ${city.name}`,
  },
  {
    code: 'DE',
    weight: 14,
    locales: ['de-DE'],
    firstNames: ['Jürgen', 'Anna', 'Lukas', 'Lena', 'Jörg', 'Sophie', 'Maximilian', 'Käthe', 'Felix', 'Hannah', 'Björn', 'Sabine', 'Günter', 'Julia', 'Uwe', 'Mia'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weiß', 'Wagner', 'Becker', 'Schäfer', 'Hoffmann', 'Köhler', 'Krüger', 'Strauß', 'Vogel', 'Böhm', 'Zimmermann', 'Hartmann'],
    phones: ['+49 151 ########', '+49 160 #######', '+49 176 ########', '+49 30 ########'],
    emailDomains: ['gmail.com', 'web.de', 'gmx.de', 't-online.de', 'yahoo.de', 'outlook.de', 'posteo.de'],
    streets: ['Hauptstraße', 'Schillerstraße', 'Goethestraße', 'Bahnhofstraße', 'Lindenallee', 'Am Mühlbach', 'Königsweg', 'Friedrichstraße'],
    units: ['Hinterhaus', '2. OG', 'App. 4'],
    cities: [
      { name: 'Berlin', postcode: '10###' },
      { name: 'München', postcode: '80###' },
      { name: 'Hamburg', postcode: '20###' },
      { name: 'Köln', postcode: '50###' },
      { name: 'Frankfurt am Main', postcode: '60###' },
      { name: 'Düsseldorf', postcode: '40###' },
      { name: 'Nürnberg', postcode: '90###' },
      { name: 'Leipzig', postcode: '04###' },
    ],
    address: streetFirst,
  },
  {
    code: 'ES',
    weight: 9,
    locales: ['es-ES', 'ca-ES'],
    firstNames: ['José', 'María', 'Lucía', 'Javier', 'Begoña', 'Íñigo', 'Sofía', 'Álvaro', 'Nuria', 'Raúl', 'Pilar', 'Sergio', 'Elena', 'Joaquín'],
    lastNames: ['García López', 'Fernández Ruiz', 'Martínez', 'Sánchez Pérez', 'Núñez', 'Gómez', 'Muñoz Díaz', 'Ibáñez', 'Castaño', 'Jiménez', 'Rodríguez Peña', 'Ortega'],
    phones: ['+34 6## ### ###', '+34 7## ### ###', '+34 91# ## ## ##'],
    emailDomains: ['gmail.com', 'hotmail.es', 'yahoo.es', 'outlook.es', 'telefonica.net'],
    streets: ['Calle Mayor', 'Calle de Alcalá', 'Avenida de la Constitución', 'Paseo de Gracia', 'Calle Real', 'Plaza de España', 'Calle del Carmen'],
    units: ['3º B', '1º izda.', 'bajo'],
    cities: [
      { name: 'Madrid', postcode: '280##' },
      { name: 'Barcelona', postcode: '080##' },
      { name: 'Sevilla', postcode: '410##' },
      { name: 'Valencia', postcode: '460##' },
      { name: 'Málaga', postcode: '290##' },
      { name: 'A Coruña', postcode: '150##' },
    ],
    address: streetFirst,
  },
  {
    code: 'IT',
    weight: 9,
    locales: ['it-IT'],
    firstNames: ['Giuseppe', 'Giulia', 'Marco', 'Francesca', 'Niccolò', 'Chiara', 'Luca', 'Alessandra', 'Nicolò', 'Federica', 'Matteo', 'Martina'],
    lastNames: ['Rossi', 'Russo', 'Ferrari', 'Esposito', "D'Angelo", "D'Amico", 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Galli', 'Conti'],
    phones: ['+39 3## ### ####', '+39 06 #### ####', '+39 02 #### ####'],
    emailDomains: ['gmail.com', 'libero.it', 'virgilio.it', 'yahoo.it', 'hotmail.it', 'tiscali.it', 'alice.it'],
    streets: ['Via Roma', 'Via Giuseppe Garibaldi', 'Corso Vittorio Emanuele II', 'Via Dante Alighieri', 'Piazza della Libertà', "Via dell'Indipendenza", 'Viale dei Mille'],
    units: ['int. 5', 'scala B', 'piano 2'],
    cities: [
      { name: 'Roma RM', postcode: '001##' },
      { name: 'Milano MI', postcode: '201##' },
      { name: 'Napoli NA', postcode: '801##' },
      { name: 'Torino TO', postcode: '101##' },
      { name: 'Bologna BO', postcode: '401##' },
      { name: 'Forlì FC', postcode: '4712#' },
    ],
    address: streetFirst,
  },
  {
    code: 'GB',
    weight: 12,
    locales: ['en-GB', 'cy-GB'],
    firstNames: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Emily', 'Siobhan', 'Jack', 'Charlotte', 'Rhys', 'Sophie', 'Callum', 'Niamh', 'Thomas'],
    lastNames: ['Smith', 'Jones', 'Taylor', 'Brown', "O'Brien", "O'Connor", 'Williams', 'Davies', 'Evans', 'Wilson', 'Thomson', "O'Neill", 'Hughes', 'Patel', 'Walker'],
    phones: ['+44 7### ######', '+44 20 #### ####', '+44 161 ### ####'],
    emailDomains: ['gmail.com', 'btinternet.com', 'yahoo.co.uk', 'hotmail.co.uk', 'outlook.com', 'sky.com', 'virginmedia.com'],
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Park Avenue', "King's Road", "St John's Close", 'Mill Lane'],
    units: ['Flat 2', 'Flat 14B', 'The Old Rectory'],
    cities: [
      { name: 'London', postcode: 'SW# #@@' },
      { name: 'Manchester', postcode: 'M## #@@' },
      { name: 'Birmingham', postcode: 'B## #@@' },
      { name: 'Leeds', postcode: 'LS# #@@' },
      { name: 'Bristol', postcode: 'BS# #@@' },
      { name: 'Cardiff', postcode: 'CF## #@@' },
      { name: 'Edinburgh', postcode: 'EH# #@@' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${unit ? `${unit}\n` : ''}${number} ${street}\n${city.name}\n${postcode}`,
  },
  {
    code: 'US',
    weight: 14,
    locales: ['en-US', 'es-US'],
    firstNames: ['James', 'Mary', 'Michael', 'Jennifer', 'David', 'Ashley', 'Christopher', 'Jessica', 'Tyler', 'Madison', 'Carlos', 'Ava', 'Brandon', 'Emily', 'Kevin', 'Sarah'],
    lastNames: ['Johnson', 'Williams', 'Miller', 'Davis', 'Garcia', 'Rodriguez', 'Martinez', "O'Malley", 'Anderson', 'Thomas', 'Nguyen', 'Kim', 'Jackson', 'White', 'Harris', 'Clark'],
    phones: ['+1 (###) 555-####', '+1 ###-555-####', '+1 ### 555 ####'],
    emailDomains: ['gmail.com', 'yahoo.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net', 'hotmail.com'],
    streets: ['Main St', 'Oak Ave', 'Maple Dr', 'Washington Blvd', 'Park Pl', 'Elm St', 'Lakeview Ter', 'Sunset Blvd'],
    units: ['Apt 4B', 'Unit 210', 'Suite 300'],
    cities: [
      { name: 'San Francisco', postcode: '941##', region: 'US-CA' },
      { name: 'Los Angeles', postcode: '900##', region: 'US-CA' },
      { name: 'New York', postcode: '100##', region: 'US-NY' },
      { name: 'Brooklyn', postcode: '112##', region: 'US-NY' },
      { name: 'Boston', postcode: '021##', region: 'US-MA' },
      { name: 'Cambridge', postcode: '021##', region: 'US-MA' },
      { name: 'Austin', postcode: '787##', region: 'US-TX' },
      { name: 'Houston', postcode: '770##', region: 'US-TX' },
      { name: 'Miami', postcode: '331##', region: 'US-FL' },
      { name: 'Seattle', postcode: '981##', region: 'US-WA' },
      { name: 'Chicago', postcode: '606##', region: 'US-IL' },
      { name: 'Denver', postcode: '802##', region: 'US-CO' },
      { name: 'Portland', postcode: '972##', region: 'US-OR' },
      { name: 'Atlanta', postcode: '303##', region: 'US-GA' },
      { name: 'Philadelphia', postcode: '191##', region: 'US-PA' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${number} ${street}${unit ? ` ${unit}` : ''}\n${city.name}, ${city.region?.slice(3)} ${postcode}`,
  },
  {
    code: 'IN',
    weight: 10,
    locales: ['en-IN', 'hi-IN'],
    firstNames: ['Aarav', 'Priya', 'Rahul', 'Ananya', 'Vikram', 'Sneha', 'Arjun', 'Kavya', 'Rohan', 'Divya', 'Aditya', 'Meera', 'Sanjay', 'Lakshmi'],
    lastNames: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Nair', 'Gupta', 'Singh', 'Kumar', 'Mehta', 'Banerjee', 'Chatterjee', 'Rao', 'Menon', 'Desai'],
    phones: ['+91 9#### #####', '+91 8#### #####', '+91 7#### #####'],
    emailDomains: ['gmail.com', 'yahoo.co.in', 'rediffmail.com', 'outlook.com', 'hotmail.com'],
    streets: ['MG Road', 'Brigade Road', 'Linking Road', 'Anna Salai', 'Park Street', 'Banjara Hills Road No. 12', 'FC Road'],
    units: ['Flat 302', 'B-14', '2nd Floor'],
    cities: [
      { name: 'Mumbai', postcode: '4000##', region: 'IN-MH' },
      { name: 'Pune', postcode: '4110##', region: 'IN-MH' },
      { name: 'Bengaluru', postcode: '5600##', region: 'IN-KA' },
      { name: 'New Delhi', postcode: '1100##', region: 'IN-DL' },
      { name: 'Chennai', postcode: '6000##', region: 'IN-TN' },
      { name: 'Hyderabad', postcode: '5000##', region: 'IN-TG' },
      { name: 'Kolkata', postcode: '7000##', region: 'IN-WB' },
      { name: 'Ahmedabad', postcode: '3800##', region: 'IN-GJ' },
      { name: 'Kochi', postcode: '6820##', region: 'IN-KL' },
    ],
    address: numberFirst,
  },
  {
    code: 'NL',
    weight: 3,
    locales: ['nl-NL'],
    firstNames: ['Daan', 'Sanne', 'Bram', 'Fleur', 'Sem', 'Anouk', 'Thijs', 'Eline'],
    lastNames: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', "van 't Hof", 'Visser', 'Smit'],
    phones: ['+31 6 ########', '+31 20 ### ####'],
    emailDomains: ['gmail.com', 'ziggo.nl', 'kpnmail.nl', 'hotmail.nl', 'outlook.com'],
    streets: ['Keizersgracht', 'Damrak', 'Kerkstraat', 'Stationsweg', 'Dorpsstraat'],
    units: ['2-hoog', 'A'],
    cities: [
      { name: 'Amsterdam', postcode: '10## @@' },
      { name: 'Rotterdam', postcode: '30## @@' },
      { name: 'Utrecht', postcode: '35## @@' },
    ],
    address: streetFirst,
  },
  {
    code: 'BE',
    weight: 2,
    locales: ['fr-BE', 'nl-BE'],
    firstNames: ['Lucas', 'Emma', 'Louis', 'Louise', 'Arthur', 'Elise', 'Noé', 'Zoë'],
    lastNames: ['Peeters', 'Janssens', 'Maes', 'Dubois', 'Lambert', 'Willems', "D'Hondt", 'Claes'],
    phones: ['+32 47# ## ## ##', '+32 2 ### ## ##'],
    emailDomains: ['gmail.com', 'skynet.be', 'telenet.be', 'hotmail.com', 'proximus.be'],
    streets: ['Rue de la Loi', 'Avenue Louise', 'Meir', 'Veldstraat', 'Chaussée de Waterloo'],
    units: ['bte 3', 'bus 12'],
    cities: [
      { name: 'Bruxelles', postcode: '10##' },
      { name: 'Antwerpen', postcode: '20##' },
      { name: 'Liège', postcode: '40##' },
      { name: 'Gent', postcode: '90##' },
    ],
    address: streetFirst,
  },
  {
    code: 'AT',
    weight: 2,
    locales: ['de-AT'],
    firstNames: ['Florian', 'Katharina', 'Tobias', 'Theresa', 'Lukas', 'Magdalena', 'Dominik', 'Verena'],
    lastNames: ['Gruber', 'Huber', 'Bauer', 'Wagner', 'Pichler', 'Steiner', 'Moser', 'Höller'],
    phones: ['+43 664 #######', '+43 1 #######'],
    emailDomains: ['gmail.com', 'gmx.at', 'aon.at', 'chello.at', 'outlook.com'],
    streets: ['Mariahilfer Straße', 'Landstraßer Hauptstraße', 'Getreidegasse', 'Herrengasse'],
    units: ['Top 7', 'Stiege 2/Top 11'],
    cities: [
      { name: 'Wien', postcode: '1###' },
      { name: 'Graz', postcode: '80##' },
      { name: 'Salzburg', postcode: '50##' },
    ],
    address: streetFirst,
  },
  {
    code: 'PT',
    weight: 2,
    locales: ['pt-PT'],
    firstNames: ['João', 'Inês', 'Gonçalo', 'Beatriz', 'Tomás', 'Leonor', 'Rodrigo', 'Mariana'],
    lastNames: ['Silva', 'Santos', 'Ferreira', 'Gonçalves', 'Conceição', 'Magalhães', 'Pereira Simões', 'Araújo'],
    phones: ['+351 91# ### ###', '+351 96# ### ###', '+351 21# ### ###'],
    emailDomains: ['gmail.com', 'sapo.pt', 'hotmail.com', 'outlook.pt'],
    streets: ['Rua Augusta', 'Avenida da Liberdade', 'Rua de Santa Catarina', 'Travessa do Carmo'],
    units: ['2.º Esq.', 'R/C Dto.'],
    cities: [
      { name: 'Lisboa', postcode: '1###-###' },
      { name: 'Porto', postcode: '4###-###' },
      { name: 'Braga', postcode: '47##-###' },
    ],
    address: streetFirst,
  },
  {
    code: 'IE',
    weight: 2,
    locales: ['en-IE', 'ga-IE'],
    firstNames: ['Seán', 'Aoife', 'Ciarán', 'Saoirse', 'Pádraig', 'Róisín', 'Eoin', 'Clodagh'],
    lastNames: ["O'Sullivan", 'Murphy', 'Kelly', "O'Brien", 'Walsh', "Ó Súilleabháin", 'Byrne', 'McCarthy'],
    phones: ['+353 8# ### ####', '+353 1 ### ####'],
    emailDomains: ['gmail.com', 'eircom.net', 'hotmail.com', 'outlook.ie'],
    streets: ["O'Connell Street", 'Grafton Street', 'Main Street', 'Shop Street', "St Stephen's Green"],
    units: ['Apartment 5', 'Unit 3'],
    cities: [
      { name: 'Dublin 2', postcode: 'D02 @#@#' },
      { name: 'Cork', postcode: 'T12 @#@#' },
      { name: 'Galway', postcode: 'H91 @#@#' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${unit ? `${unit}, ` : ''}${number} ${street}\n${city.name}, ${postcode}`,
  },
  {
    code: 'PL',
    weight: 3,
    locales: ['pl-PL'],
    firstNames: ['Michał', 'Agnieszka', 'Łukasz', 'Małgorzata', 'Paweł', 'Katarzyna', 'Wojciech', 'Żaneta'],
    lastNames: ['Nowak', 'Kowalski', 'Wiśniewska', 'Wójcik', 'Kowalczyk', 'Łęcka', 'Zieliński', 'Szymańska'],
    phones: ['+48 5## ### ###', '+48 6## ### ###', '+48 22 ### ## ##'],
    emailDomains: ['gmail.com', 'wp.pl', 'onet.pl', 'o2.pl', 'interia.pl'],
    streets: ['ul. Marszałkowska', 'ul. Piotrkowska', 'ul. Długa', 'al. Jerozolimskie', 'ul. Świętokrzyska'],
    units: ['m. 14', 'lok. 3'],
    cities: [
      { name: 'Warszawa', postcode: '0#-###' },
      { name: 'Kraków', postcode: '3#-###' },
      { name: 'Łódź', postcode: '9#-###' },
      { name: 'Gdańsk', postcode: '80-###' },
    ],
    address: streetFirst,
  },
  {
    code: 'CA',
    weight: 3,
    locales: ['en-CA', 'fr-CA'],
    firstNames: ['Liam', 'Olivia', 'Noah', 'Charlotte', 'Étienne', 'Émilie', 'Ethan', 'Chloé'],
    lastNames: ['Tremblay', 'Gagnon', 'Roy', 'Côté', 'Smith', 'Brown', 'MacDonald', 'Bouchard'],
    phones: ['+1 ###-555-####', '+1 (###) 555-####'],
    emailDomains: ['gmail.com', 'rogers.com', 'shaw.ca', 'videotron.ca', 'hotmail.ca', 'outlook.com'],
    streets: ['Queen St W', 'Rue Sainte-Catherine', 'Yonge St', 'Robson St', 'Boulevard Saint-Laurent'],
    units: ['Apt 1204', 'Unit 5'],
    cities: [
      { name: 'Toronto ON', postcode: 'M#@ #@#' },
      { name: 'Montréal QC', postcode: 'H#@ #@#' },
      { name: 'Vancouver BC', postcode: 'V#@ #@#' },
    ],
    address: numberFirst,
  },
  {
    code: 'AU',
    weight: 2,
    locales: ['en-AU'],
    firstNames: ['Jack', 'Isla', 'William', 'Matilda', 'Lachlan', 'Ruby', 'Cooper', 'Grace'],
    lastNames: ['Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Nguyen', "O'Keefe", 'Kelly'],
    phones: ['+61 4## ### ###', '+61 2 #### ####'],
    emailDomains: ['gmail.com', 'bigpond.com', 'optusnet.com.au', 'outlook.com'],
    streets: ['George St', 'Collins St', 'Queen St', 'Hay St', 'Beach Rd'],
    units: ['Unit 7', 'Level 3'],
    cities: [
      { name: 'Sydney NSW', postcode: '2###' },
      { name: 'Melbourne VIC', postcode: '3###' },
      { name: 'Brisbane QLD', postcode: '4###' },
      { name: 'Perth WA', postcode: '6###' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${unit ? `${unit}/` : ''}${number} ${street}\n${city.name} ${postcode}`,
  },
  {
    code: 'BR',
    weight: 2,
    locales: ['pt-BR'],
    firstNames: ['João', 'Ana', 'Luís', 'Júlia', 'Gabriel', 'Letícia', 'Mateus', 'Camila'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Conceição', 'Araújo Lima', 'Gonçalves', 'Ribeiro'],
    phones: ['+55 11 9####-####', '+55 21 9####-####'],
    emailDomains: ['gmail.com', 'uol.com.br', 'bol.com.br', 'hotmail.com', 'terra.com.br'],
    streets: ['Rua Augusta', 'Avenida Paulista', 'Rua das Laranjeiras', 'Avenida Atlântica'],
    units: ['apto 52', 'bloco B'],
    cities: [
      { name: 'São Paulo - SP', postcode: '0####-###' },
      { name: 'Rio de Janeiro - RJ', postcode: '2####-###' },
      { name: 'Belo Horizonte - MG', postcode: '3####-###' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `${street}, ${number}${unit ? `, ${unit}` : ''}\n${postcode} ${city.name}`,
  },
  {
    code: 'JP',
    weight: 2,
    locales: ['ja-JP'],
    firstNames: ['Kenta', 'Yui', 'Haruto', 'Sakura', 'Sota', 'Aoi', 'Ren', 'Hina'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura'],
    phones: ['+81 90-####-####', '+81 80-####-####', '+81 3-####-####'],
    emailDomains: ['gmail.com', 'yahoo.co.jp', 'docomo.ne.jp', 'icloud.com'],
    streets: ['神南', '梅田', 'みなとみらい', '栄', '天神'],
    units: ['101号室', '502号室'],
    cities: [
      { name: '東京都渋谷区', postcode: '150-00##' },
      { name: '大阪府大阪市北区', postcode: '530-00##' },
      { name: '神奈川県横浜市西区', postcode: '220-00##' },
      { name: '愛知県名古屋市中区', postcode: '460-00##' },
      { name: '福岡県福岡市中央区', postcode: '810-00##' },
    ],
    address: ({ street, number, unit, city, postcode }) =>
      `〒${postcode}\n${city.name}${street}${number % 5 + 1}-${number % 30 + 1}-${number}${unit ? ` ${unit}` : ''}`,
  },
  {
    code: 'SG',
    weight: 1,
    locales: ['en-SG', 'zh-SG'],
    firstNames: ['Wei Ling', 'Jun Jie', 'Hui Min', 'Ravi', 'Nurul', 'Marcus', 'Shu Fen', 'Darren'],
    lastNames: ['Tan', 'Lim', 'Lee', 'Ng', 'Ong', 'Wong', 'Rahman', 'Krishnan'],
    phones: ['+65 9### ####', '+65 8### ####', '+65 6### ####'],
    emailDomains: ['gmail.com', 'singnet.com.sg', 'yahoo.com.sg', 'hotmail.com'],
    streets: ['Orchard Road', 'Tampines Street 21', 'Jurong West Avenue 1', 'Bukit Timah Road'],
    units: ['#05-12', '#12-301'],
    cities: [{ name: 'Singapore', postcode: '######' }],
    address: ({ street, number, unit, city, postcode }) =>
      `${number} ${street}${unit ? ` ${unit}` : ''}\n${city.name} ${postcode}`,
  },
  {
    code: 'CH',
    weight: 2,
    locales: ['de-CH', 'fr-CH', 'it-CH'],
    firstNames: ['Luca', 'Lea', 'Noah', 'Léonie', 'Jonas', 'Mélanie', 'Reto', 'Séverine'],
    lastNames: ['Müller', 'Meier', 'Schmid', 'Keller', 'Favre', 'Rochat', 'Bernasconi', 'Gerber'],
    phones: ['+41 79 ### ## ##', '+41 76 ### ## ##', '+41 44 ### ## ##'],
    emailDomains: ['gmail.com', 'bluewin.ch', 'gmx.ch', 'sunrise.ch', 'hispeed.ch'],
    streets: ['Bahnhofstrasse', 'Rue du Rhône', 'Marktgasse', 'Via Nassa', 'Avenue de la Gare'],
    units: ['2. Stock'],
    cities: [
      { name: 'Zürich', postcode: '80##' },
      { name: 'Genève', postcode: '12##' },
      { name: 'Bern', postcode: '30##' },
      { name: 'Lugano', postcode: '69##' },
    ],
    address: streetFirst,
  },
];
