//! Locale data for the synthetic generator: built-in word lists, one table per v1.4 nationality,
//! and the lookups made from them once per generator.
//!
//! Lists are comma-separated strings (split once in `Generator::new`) so the tables stay readable.
//! A name may carry its ASCII spelling after `|` when it cannot be transliterated mechanically
//! (Persian script); e-mail local parts use that spelling. Cities are `City:State`.

/// How a nationality's postcode looks in the API.
pub(super) enum Postcode {
    /// A JSON number in `lo..=hi`.
    Int(u32, u32),
    /// A JSON string from a pattern: `9` any digit, `1` digit 1-9, `A` capital letter, else literal.
    /// Several patterns separated by `,` are picked uniformly (GB outward codes vary in length).
    Text(&'static str),
}

pub(super) struct NatData {
    pub code: &'static str,
    pub country: &'static str,
    pub male: &'static str,
    pub female: &'static str,
    pub last: &'static str,
    pub cities: &'static str,
    pub streets: &'static str,
    /// Phone patterns, same digit syntax as `Postcode::Text`.
    pub phone: &'static str,
    pub cell: &'static str,
    pub postcode: Postcode,
    /// `id.name`; "" for the nationalities whose `id.value` is null.
    pub id_name: &'static str,
}

use Postcode::{Int, Text};

pub(super) const NATS: [NatData; 21] = [
    NatData {
        code: "AU",
        country: "Australia",
        male: "Oliver,Jack,William,Noah,Thomas,James,Lucas,Henry,Liam,Ethan,Mason,Harrison,Cooper,Riley,Lachlan,Roland",
        female: "Charlotte,Olivia,Amelia,Isla,Mia,Ava,Grace,Chloe,Zoe,Ruby,Sophie,Matilda,Harper,Ella,Evie,Lily",
        last: "Smith,Jones,Williams,Brown,Wilson,Taylor,Johnson,White,Martin,Anderson,Thompson,Nguyen,Thomas,Walker,Harris,Lee,Ryan,Robinson,Kelly,Bates",
        cities: "Sydney:New South Wales,Newcastle:New South Wales,Wollongong:New South Wales,Albury:New South Wales,Wagga Wagga:New South Wales,Port Macquarie:New South Wales,Melbourne:Victoria,Geelong:Victoria,Ballarat:Victoria,Bendigo:Victoria,Mildura:Victoria,Brisbane:Queensland,Cairns:Queensland,Townsville:Queensland,Toowoomba:Queensland,Perth:Western Australia,Bunbury:Western Australia,Adelaide:South Australia,Hobart:Tasmania,Launceston:Tasmania,Darwin:Northern Territory,Canberra:Australian Capital Territory",
        streets: "Plum St,Lovers Ln,Valwood Pkwy,Groveland Terrace,Lone Wolf Trail,Hamilton Ave,Karen Dr,Mcclellan Rd,Brown Terrace,Fairview St",
        phone: "09-9999-9999",
        cell: "0499-999-999",
        postcode: Int(200, 9999),
        id_name: "TFN",
    },
    NatData {
        code: "BR",
        country: "Brazil",
        male: "João,Pedro,Lucas,Gabriel,Mateus,Rafael,Gustavo,Felipe,Bruno,Thiago,Diego,Rodrigo,André,Caio,Vinícius,Leandro",
        female: "Ana,Maria,Júlia,Beatriz,Larissa,Camila,Fernanda,Letícia,Mariana,Gabriela,Aline,Bianca,Débora,Luana,Priscila,Vitória",
        last: "Silva,Santos,Oliveira,Souza,Rodrigues,Ferreira,Alves,Pereira,Lima,Gomes,Costa,Ribeiro,Martins,Carvalho,Araújo,Melo,Barbosa,Rocha,Dias,Nascimento",
        cities: "São Paulo:São Paulo,Campinas:São Paulo,Santos:São Paulo,Rio de Janeiro:Rio de Janeiro,Niterói:Rio de Janeiro,Belo Horizonte:Minas Gerais,Uberlândia:Minas Gerais,Salvador:Bahia,Fortaleza:Ceará,Recife:Pernambuco,Curitiba:Paraná,Cascavel:Paraná,Porto Alegre:Rio Grande do Sul,Manaus:Amazonas,Belém:Pará,Goiânia:Goiás,Florianópolis:Santa Catarina,Natal:Rio Grande do Norte",
        streets: "Rua Sete de Setembro,Rua Um,Rua São José,Rua Principal,Rua Santa Maria,Avenida Brasil,Rua Quinze de Novembro,Rua Belo Horizonte,Rua Dom Pedro II,Rua da Paz",
        phone: "(99) 9999-9999",
        cell: "(99) 9999-9999",
        postcode: Int(10000, 99999),
        id_name: "CPF",
    },
    NatData {
        code: "CA",
        country: "Canada",
        male: "Liam,Noah,William,Logan,Benjamin,Ethan,Jacob,Lucas,Nathan,Owen,Samuel,Félix,Alexander,Mason,Olivier,Tristan",
        female: "Emma,Olivia,Charlotte,Chloe,Sophie,Léa,Emily,Alice,Florence,Madison,Maya,Ava,Zoe,Rose,Juliette,Abigail",
        last: "Smith,Brown,Tremblay,Martin,Roy,Wilson,Gagnon,Lee,Johnson,MacDonald,Taylor,Campbell,Anderson,Côté,Bouchard,Gauthier,Morin,Lavoie,Fortin,Gill",
        cities: "Toronto:Ontario,Ottawa:Ontario,Mississauga:Ontario,Hamilton:Ontario,Oakville:Ontario,Kingston:Ontario,Montreal:Québec,Québec:Québec,Laval:Québec,Gatineau:Québec,Vancouver:British Columbia,Victoria:British Columbia,Calgary:Alberta,Edmonton:Alberta,Winnipeg:Manitoba,Regina:Saskatchewan,Halifax:Nova Scotia,Fredericton:New Brunswick,St. John's:Newfoundland and Labrador,Charlottetown:Prince Edward Island",
        streets: "Duke St,Maple Ave,Simcoe St,Cedar St,King St,Queen St,Dundas Rd,Victoria Ave,Parliament St,Bay Ave",
        phone: "999-999-9999",
        cell: "999-999-9999",
        postcode: Text("A9A 9A9"),
        id_name: "SIN",
    },
    NatData {
        code: "CH",
        country: "Switzerland",
        male: "Noah,Luca,Leon,Matteo,David,Elias,Julian,Gabriel,Samuel,Nicolas,Loïc,Yannick,Marco,Reto,Urs,Beat",
        female: "Mia,Emma,Lena,Lara,Anna,Laura,Sara,Chiara,Léa,Nina,Céline,Jana,Sophie,Elena,Noemi,Alessia",
        last: "Müller,Meier,Schmid,Keller,Weber,Huber,Schneider,Meyer,Steiner,Fischer,Gerber,Brunner,Baumann,Frei,Zimmermann,Moser,Roux,Fontana,Bernard,Rossi",
        cities: "Zürich:Zürich,Winterthur:Zürich,Uster:Zürich,Genève:Genève,Basel:Basel-Stadt,Lausanne:Vaud,Montreux:Vaud,Bern:Bern,Biel:Bern,Thun:Bern,Luzern:Luzern,St. Gallen:St. Gallen,Lugano:Ticino,Bellinzona:Ticino,Fribourg:Fribourg,Neuchâtel:Neuchâtel,Sion:Valais,Chur:Graubünden,Schaffhausen:Schaffhausen,Zug:Zug",
        streets: "Bahnhofstrasse,Hauptstrasse,Dorfstrasse,Rue de la Gare,Via Cantonale,Kirchweg,Rue du Lac,Seestrasse,Grand Rue,Schulstrasse",
        phone: "099 999 99 99",
        cell: "079 999 99 99",
        postcode: Int(1000, 9999),
        id_name: "AVS",
    },
    NatData {
        code: "DE",
        country: "Germany",
        male: "Lukas,Leon,Finn,Jonas,Paul,Felix,Maximilian,Elias,Jan,Tim,Niklas,Jürgen,Dieter,Uwe,Stefan,Torsten",
        female: "Mia,Emma,Hannah,Sophie,Lena,Lea,Marie,Anna,Laura,Julia,Alma,Sabine,Ursula,Petra,Gisela,Jördis",
        last: "Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,Bauer,Richter,Klein,Wolf,Schröder,Neumann,Kanzler,Krüger",
        cities: "Berlin:Berlin,Hamburg:Hamburg,München:Bayern,Nürnberg:Bayern,Augsburg:Bayern,Köln:Nordrhein-Westfalen,Düsseldorf:Nordrhein-Westfalen,Dortmund:Nordrhein-Westfalen,Essen:Nordrhein-Westfalen,Frankfurt am Main:Hessen,Stuttgart:Baden-Württemberg,Freiburg im Breisgau:Baden-Württemberg,Leipzig:Sachsen,Dresden:Sachsen,Hannover:Niedersachsen,Bremen:Bremen,Magdeburg:Sachsen-Anhalt,Joachimsthal:Brandenburg,Rostock:Mecklenburg-Vorpommern,Kiel:Schleswig-Holstein",
        streets: "Am Sportplatz,Hauptstraße,Schulstraße,Gartenstraße,Bahnhofstraße,Dorfstraße,Bergstraße,Birkenweg,Lindenstraße,Kirchstraße",
        phone: "0999-9999999",
        cell: "0179-9999999",
        postcode: Int(10000, 99999),
        id_name: "SVNR",
    },
    NatData {
        code: "DK",
        country: "Denmark",
        male: "William,Noah,Oscar,Lucas,Carl,Victor,Magnus,Frederik,Emil,Mads,Rasmus,Søren,Anders,Jesper,Mikkel,Kasper",
        female: "Emma,Ida,Clara,Freja,Alma,Sofie,Anna,Laura,Mathilde,Karla,Maja,Signe,Mette,Line,Cecilie,Astrid",
        last: "Nielsen,Jensen,Hansen,Pedersen,Andersen,Christensen,Larsen,Sørensen,Rasmussen,Jørgensen,Petersen,Madsen,Kristensen,Olsen,Thomsen,Christiansen,Poulsen,Johansen,Møller,Mortensen",
        cities: "København Ø:Hovedstaden,København N:Hovedstaden,Frederiksberg:Hovedstaden,Hillerød:Hovedstaden,Aarhus:Midtjylland,Randers:Midtjylland,Silkeborg:Midtjylland,Herning:Midtjylland,Odense:Syddanmark,Esbjerg:Syddanmark,Kolding:Syddanmark,Vejle:Syddanmark,Aalborg:Nordjylland,Hjørring:Nordjylland,Roskilde:Sjælland,Næstved:Sjælland,Slagelse:Sjælland,Holbæk:Sjælland",
        streets: "Villavej,Vestergade,Østergade,Nørregade,Søndergade,Kirkevej,Skovvej,Engvej,Bakkevej,Strandvejen",
        phone: "99999999",
        cell: "99999999",
        postcode: Int(1000, 9999),
        id_name: "CPR",
    },
    NatData {
        code: "ES",
        country: "Spain",
        male: "Hugo,Martín,Lucas,Mateo,Leo,Daniel,Alejandro,Pablo,Manuel,Álvaro,Javier,Sergio,Jorge,Raúl,Iván,Rubén",
        female: "Lucía,Sofía,Martina,María,Paula,Julia,Valeria,Carmen,Elena,Laura,Sara,Irene,Nerea,Alba,Noelia,Rocío",
        last: "García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,Hernández,Díaz,Moreno,Muñoz,Álvarez,Romero,Alonso,Navarro",
        cities: "Madrid:Comunidad de Madrid,Alcalá de Henares:Comunidad de Madrid,Móstoles:Comunidad de Madrid,Barcelona:Cataluña,Tarragona:Cataluña,Valencia:Comunidad Valenciana,Alicante:Comunidad Valenciana,Sevilla:Andalucía,Málaga:Andalucía,Granada:Andalucía,Córdoba:Andalucía,Almería:Andalucía,Zaragoza:Aragón,Bilbao:País Vasco,Valladolid:Castilla y León,Talavera de la Reina:Castilla-La Mancha,Santander:Cantabria,Oviedo:Asturias,Murcia:Región de Murcia,Pamplona:Navarra",
        streets: "Paseo de Extremadura,Calle Mayor,Calle de Alcalá,Avenida de América,Calle del Prado,Calle de Toledo,Avenida de Andalucía,Calle de la Luna,Ronda de Valencia,Calle de Segovia",
        phone: "999-999-999",
        cell: "699-999-999",
        postcode: Int(1000, 52999),
        id_name: "DNI",
    },
    NatData {
        code: "FI",
        country: "Finland",
        male: "Leo,Elias,Oliver,Eino,Väinö,Onni,Eetu,Juho,Mikko,Jukka,Matti,Antti,Ville,Lauri,Aleksi,Tapio",
        female: "Aino,Aada,Sofia,Eevi,Olivia,Lilja,Helmi,Ella,Emilia,Venla,Aurora,Iida,Noora,Sanni,Maija,Päivi",
        last: "Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen,Järvinen,Lehtonen,Lehtinen,Saarinen,Salminen,Heinonen,Niemi,Heikkilä,Kinnunen,Salonen,Turunen",
        cities: "Helsinki:Uusimaa,Espoo:Uusimaa,Vantaa:Uusimaa,Porvoo:Uusimaa,Tampere:Pirkanmaa,Nokia:Pirkanmaa,Turku:Southwest Finland,Oulu:Northern Ostrobothnia,Jyväskylä:Central Finland,Lahti:Päijät-Häme,Kuopio:Northern Savonia,Rautalampi:Northern Savonia,Pori:Satakunta,Kajaani:Kainuu,Joensuu:North Karelia,Vaasa:Ostrobothnia,Kaustinen:Central Ostrobothnia,Jalasjärvi:Southern Ostrobothnia,Rovaniemi:Lapland,Lappeenranta:South Karelia",
        streets: "Rautatienkatu,Mannerheimintie,Pirkankatu,Suvantokatu,Hämeenkatu,Aleksanterinkatu,Tehtaankatu,Satakennankatu,Esplanadi,Pyynikintie",
        phone: "09-999-999",
        cell: "049-999-99-99",
        postcode: Int(10000, 99999),
        id_name: "HETU",
    },
    NatData {
        code: "FR",
        country: "France",
        male: "Gabriel,Léo,Raphaël,Louis,Lucas,Hugo,Arthur,Jules,Mathis,Nathan,Théo,Maxime,Antoine,Étienne,Quentin,Baptiste",
        female: "Jade,Louise,Emma,Alice,Chloé,Léa,Manon,Camille,Inès,Zoé,Juliette,Margaux,Clémence,Élise,Océane,Anaïs",
        last: "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefebvre,Michel,Garcia,David,Bertrand,Roux,Vincent,Fournier",
        cities: "Paris:Paris,Marseille:Bouches-du-Rhône,Aix-en-Provence:Bouches-du-Rhône,Lyon:Rhône,Toulouse:Haute-Garonne,Nice:Alpes-Maritimes,Nantes:Loire-Atlantique,Strasbourg:Bas-Rhin,Montpellier:Hérault,Bordeaux:Gironde,Lille:Nord,Rennes:Ille-et-Vilaine,Reims:Marne,Le Havre:Seine-Maritime,Saint-Étienne:Loire,Toulon:Var,Grenoble:Isère,Dijon:Côte-D'Or,Perpignan:Pyrénées-Orientales,Clermont-Ferrand:Puy-de-Dôme",
        streets: "Rue Paul Bert,Place de L'Abbé-Jean-Lebeuf,Rue de la République,Rue Victor-Hugo,Avenue Jean-Jaurès,Rue Pasteur,Rue de l'Église,Rue du Château,Place du 8 Février 1962,Rue Abel-Hovelacque",
        phone: "09-99-99-99-99",
        cell: "06-99-99-99-99",
        postcode: Int(1000, 95999),
        id_name: "INSEE",
    },
    NatData {
        code: "GB",
        country: "United Kingdom",
        male: "Oliver,George,Harry,Jack,Jacob,Charlie,Thomas,Oscar,William,James,Alfie,Archie,Joshua,Henry,Samuel,Joseph",
        female: "Olivia,Amelia,Isla,Ava,Emily,Isabella,Mia,Poppy,Ella,Lily,Jessica,Sophie,Grace,Evie,Freya,Charlotte",
        last: "Smith,Jones,Williams,Taylor,Brown,Davies,Evans,Wilson,Thomas,Roberts,Johnson,Lewis,Walker,Robinson,Wood,Thompson,White,Watson,Jackson,Wright",
        cities: "London:Greater London,Croydon:Greater London,Manchester:Greater Manchester,Salford:Greater Manchester,Birmingham:West Midlands,Coventry:West Midlands,Liverpool:Merseyside,Leeds:West Yorkshire,Bradford:West Yorkshire,Sheffield:South Yorkshire,Bristol:Avon,Cambridge:Cambridgeshire,Oxford:Oxfordshire,Derby:Derbyshire,Winchester:Hampshire,Stevenage:Hertfordshire,Wells:Somerset,Newcastle upon Tyne:Tyne and Wear,Cardiff:South Glamorgan,Edinburgh:Lothian",
        streets: "Victoria Road,Station Road,The Crescent,Kingsway,The Grove,Broadway,Church Lane,High Street,Mill Lane,Park Road",
        phone: "019999 99999",
        cell: "0799-999-999",
        postcode: Text("AA9 9AA,AA99 9AA,A9 9AA,A99 9AA,A9A 9AA,AA9A 9AA"),
        id_name: "NINO",
    },
    NatData {
        code: "IE",
        country: "Ireland",
        male: "Jack,James,Noah,Conor,Daniel,Seán,Michael,Patrick,Cian,Darragh,Oisín,Fionn,Liam,Ronan,Eoin,Declan",
        female: "Emily,Grace,Fiadh,Sophie,Hannah,Amelia,Ava,Ellie,Aoife,Saoirse,Niamh,Ciara,Róisín,Sinéad,Orla,Caoimhe",
        last: "Murphy,Kelly,O'Sullivan,Walsh,Smith,O'Brien,Byrne,Ryan,O'Connor,O'Neill,Reilly,Doyle,McCarthy,Gallagher,Doherty,Kennedy,Lynch,Murray,Quinn,Moore",
        cities: "Dublin:Dublin,Swords:Dublin,Skerries:Dublin,Balbriggan:Dublin,Cork:Cork,Cobh:Cork,Limerick:Limerick,Galway:Galway,Waterford:Waterford,Drogheda:Louth,Dundalk:Louth,Navan:Meath,Kilkenny:Kilkenny,Mountmellick:Laois,Sligo:Sligo,Athlone:Westmeath,Tralee:Kerry,Ennis:Clare,Wexford:Wexford,Letterkenny:Donegal",
        streets: "O'Connell Street,Ormond Quay,The Crescent,Main Street,Church Street,Patrick Street,Grafton Street,Strand Road,Green Lane,Pearse Street",
        phone: "099-999-9999",
        cell: "089-999-9999",
        postcode: Int(10000, 99999),
        id_name: "PPS",
    },
    NatData {
        code: "IN",
        country: "India",
        male: "Aarav,Vivaan,Aditya,Vihaan,Arjun,Sai,Reyansh,Krishna,Ishaan,Rohan,Rahul,Amit,Vikram,Sanjay,Karan,Nikhil",
        female: "Saanvi,Aanya,Aadhya,Ananya,Diya,Pari,Isha,Kavya,Priya,Neha,Pooja,Sneha,Anjali,Meera,Riya,Shreya",
        last: "Sharma,Verma,Patel,Gupta,Singh,Kumar,Reddy,Nair,Iyer,Rao,Das,Joshi,Mehta,Chopra,Kapoor,Malhotra,Menon,Pillai,Bhat,Shetty",
        cities: "Mumbai:Maharashtra,Pune:Maharashtra,Nagpur:Maharashtra,Nashik:Maharashtra,Delhi:Delhi,Bengaluru:Karnataka,Mysuru:Karnataka,Hyderabad:Telangana,Ahmedabad:Gujarat,Surat:Gujarat,Vadodara:Gujarat,Chennai:Tamil Nadu,Coimbatore:Tamil Nadu,Madurai:Tamil Nadu,Kolkata:West Bengal,Jaipur:Rajasthan,Lucknow:Uttar Pradesh,Kanpur:Uttar Pradesh,Kochi:Kerala,Bhopal:Madhya Pradesh",
        streets: "MG Road,Station Road,Nehru Road,Gandhi Marg,Park Street,Church Street,Mall Road,Linking Road,Brigade Road,Anna Salai",
        phone: "9999999999",
        cell: "9999999999",
        postcode: Int(110001, 855999),
        id_name: "UIDAI",
    },
    NatData {
        code: "IR",
        country: "Iran",
        male: "علی|ali,محمد|mohammad,حسین|hossein,رضا|reza,امیر|amir,مهدی|mahdi,آرمین|armin,پارسا|parsa,سینا|sina,کیان|kian,نیما|nima,بردیا|bardia,امید|omid,حمید|hamid,پوریا|pouria,آرش|arash",
        female: "فاطمه|fatemeh,زهرا|zahra,مریم|maryam,نرگس|narges,سارا|sara,نازنین|nazanin,یاسمن|yasaman,مهسا|mahsa,آیدا|aida,پریا|parya,هستی|hasti,ترانه|taraneh,رها|raha,الناز|elnaz,شیرین|shirin,نگار|negar",
        last: "محمدی|mohammadi,حسینی|hosseini,احمدی|ahmadi,رضایی|rezaei,موسوی|mousavi,کریمی|karimi,جعفری|jafari,رحیمی|rahimi,صادقی|sadeghi,کاظمی|kazemi,نوری|nouri,سلطانی|soltani,یزدانی|yazdani,قاسمی|ghasemi,اکبری|akbari,زارعی|zarei,طاهری|taheri,نجفی|najafi,کامرانی|kamrani,مرادی|moradi",
        cities: "تهران:تهران,ورامین:تهران,مشهد:خراسان رضوی,نیشابور:خراسان رضوی,اصفهان:اصفهان,کاشان:اصفهان,کرج:البرز,شیراز:فارس,تبریز:آذربایجان شرقی,قم:قم,اهواز:خوزستان,دزفول:خوزستان,کرمانشاه:کرمانشاه,ارومیه:آذربایجان غربی,رشت:گیلان,زاهدان:سیستان و بلوچستان,همدان:همدان,کرمان:کرمان,یزد:یزد,بروجرد:لرستان",
        streets: "میدان شمشیری,مصطفی خمینی,شهید بهشتی,آزادی,انقلاب,ولیعصر,شریعتی,امام خمینی,فلسطین,کارگر",
        phone: "099-99999999",
        cell: "0999-999-9999",
        postcode: Int(10000, 99999),
        id_name: "",
    },
    NatData {
        code: "MX",
        country: "Mexico",
        male: "Santiago,Mateo,Sebastián,Leonardo,Matías,Emiliano,Diego,Miguel Ángel,José Luis,Juan Carlos,Alejandro,Ricardo,Fernando,Jesús,Eduardo,Arturo",
        female: "Sofía,Valentina,Regina,Camila,Ximena,María José,Renata,Guadalupe,Mariana,Daniela,Andrea,Fernanda,Paola,Itzel,Alejandra,Verónica",
        last: "Hernández,García,Martínez,López,González,Pérez,Rodríguez,Sánchez,Ramírez,Cruz,Flores,Gómez,Morales,Vázquez,Reyes,Jiménez,Torres,Díaz,Gutiérrez,Ruiz",
        cities: "Ciudad de México:Distrito Federal,Guadalajara:Jalisco,Zapopan:Jalisco,Monterrey:Nuevo León,Puebla:Puebla,Tijuana:Baja California,Mexicali:Baja California,León:Guanajuato,Irapuato:Guanajuato,Ciudad Juárez:Chihuahua,Chihuahua:Chihuahua,Mérida:Yucatán,Cancún:Quintana Roo,Querétaro:Querétaro,Toluca:Estado de México,Acapulco:Guerrero,Oaxaca:Oaxaca,Veracruz:Veracruz,Culiacán:Sinaloa,Hermosillo:Sonora",
        streets: "Avenida Juárez,Calle Hidalgo,Calzada de Tlalpan,Avenida Reforma,Calle Morelos,Avenida Insurgentes,Calle Zaragoza,Boulevard Independencia,Privada Aldama,Callejón Allende",
        phone: "(699) 999 9999",
        cell: "(699) 999 9999",
        postcode: Int(1000, 99999),
        id_name: "NSS",
    },
    NatData {
        code: "NL",
        country: "Netherlands",
        male: "Daan,Sem,Lucas,Levi,Finn,Milan,Bram,Luuk,Thijs,Jesse,Ruben,Sander,Joost,Pieter,Wouter,Maarten",
        female: "Emma,Julia,Mila,Tess,Sophie,Zoë,Sara,Anna,Fleur,Lotte,Noor,Sanne,Femke,Iris,Lieke,Marloes",
        last: "de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Janssen,Visser,Smit,Meijer,de Boer,Mulder,de Groot,Bos,Vos,Peters,Hendriks,van Leeuwen,Dekker,Brouwer",
        cities: "Amsterdam:Noord-Holland,Haarlem:Noord-Holland,Kudelstaart:Noord-Holland,Assum:Noord-Holland,Rotterdam:Zuid-Holland,Den Haag:Zuid-Holland,Leiden:Zuid-Holland,Rozenburg:Zuid-Holland,Utrecht:Utrecht,Amersfoort:Utrecht,Eindhoven:Noord-Brabant,Tilburg:Noord-Brabant,Breda:Noord-Brabant,Groningen:Groningen,Nijmegen:Gelderland,Arnhem:Gelderland,Lathum:Gelderland,Maastricht:Limburg,Zwolle:Overijssel,Leeuwarden:Friesland",
        streets: "Beatrixkade,Kleine Gent,De Passerot,Clara En Mariahof,Kerkstraat,Dorpsstraat,Molenweg,Stationsweg,Schoolstraat,Julianalaan",
        phone: "(099)-999-9999",
        cell: "(06)-99999999",
        postcode: Text("1999 AA"),
        id_name: "BSN",
    },
    NatData {
        code: "NO",
        country: "Norway",
        male: "Jakob,Emil,Noah,Oliver,Filip,William,Lucas,Henrik,Magnus,Sander,Ole,Lars,Kristian,Håkon,Øyvind,Sindre",
        female: "Nora,Emma,Sara,Sofie,Olivia,Ingrid,Maja,Emilie,Thea,Ida,Kari,Ingeborg,Solveig,Åse,Sigrid,Hedda",
        last: "Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Kristiansen,Jensen,Karlsen,Johnsen,Pettersen,Eriksen,Berg,Haugen,Hagen,Johannessen,Andreassen,Jacobsen,Dahl",
        cities: "Oslo:Oslo,Bergen:Vestland,Stord:Vestland,Trondheim:Trøndelag,Stavanger:Rogaland,Haugesund:Rogaland,Drammen:Buskerud,Fredrikstad:Østfold,Sarpsborg:Østfold,Kristiansand:Agder,Arendal:Agder,Tromsø:Troms,Bodø:Nordland,Ålesund:Møre og Romsdal,Aukra:Møre og Romsdal,Hamar:Innlandet,Stange:Innlandet,Lillehammer:Innlandet,Tønsberg:Vestfold,Skien:Telemark",
        streets: "Enerhaugkleiva,Ole Moes vei,Thorleifs allé,Casparis gate,Stockholmgata,Stranden,Storgata,Kirkeveien,Skolegata,Strandveien",
        phone: "99999999",
        cell: "49999999",
        postcode: Text("9999"),
        id_name: "FN",
    },
    NatData {
        code: "NZ",
        country: "New Zealand",
        male: "Oliver,Jack,Noah,Leo,George,Lucas,Hunter,William,Charlie,Liam,Nikau,Mason,Thomas,Arlo,Max,Tama",
        female: "Isla,Charlotte,Amelia,Olivia,Mia,Ava,Harper,Ella,Willow,Aria,Mila,Sophie,Ruby,Maia,Lily,Manaia",
        last: "Smith,Wilson,Williams,Brown,Taylor,Jones,Singh,Anderson,Thompson,Walker,Ngata,Robinson,Martin,Campbell,Clarke,Wright,Scott,Kumar,Parata,Hughes",
        cities: "Auckland:Auckland,Manukau:Auckland,Wellington:Wellington,Lower Hutt:Wellington,Porirua:Wellington,Christchurch:Canterbury,Timaru:Canterbury,Hamilton:Waikato,Tauranga:Bay of Plenty,Rotorua:Bay of Plenty,Dunedin:Otago,Queenstown:Otago,Palmerston North:Manawatu-Wanganui,Napier:Hawke's Bay,Hastings:Hawke's Bay,Nelson:Nelson,New Plymouth:Taranaki,Whangarei:Northland,Invercargill:Southland,Gisborne:Gisborne",
        streets: "Main Street,Brockville Road,Albany Expressway,Queen Street,Victoria Street,Great North Road,Ponsonby Road,Riddiford Street,Manukau Road,Kepa Road",
        phone: "(999)-999-9999",
        cell: "(999)-999-9999",
        postcode: Int(1000, 9999),
        id_name: "",
    },
    NatData {
        code: "RS",
        country: "Serbia",
        male: "Stefan,Luka,Nikola,Marko,Lazar,Miloš,Đorđe,Aleksa,Vuk,Nemanja,Dušan,Filip,Uroš,Vukašin,Petar,Bogdan",
        female: "Milica,Anđela,Jovana,Ana,Sara,Teodora,Marija,Nevena,Jelena,Katarina,Dragana,Ivana,Sofija,Mina,Tijana,Ljiljana",
        last: "Jovanović,Petrović,Nikolić,Marković,Đorđević,Stojanović,Ilić,Stanković,Pavlović,Milošević,Popović,Savić,Kovačević,Tomić,Lazić,Đukić,Mitrović,Ristić,Vasić,Živković",
        cities: "Beograd:Beograd,Zemun:Beograd,Novi Sad:Južna Bačka,Niš:Nišava,Kragujevac:Šumadija,Subotica:Severna Bačka,Zrenjanin:Srednji Banat,Pančevo:Južni Banat,Čačak:Moravica,Kraljevo:Raška,Novi Pazar:Raška,Smederevo:Podunavlje,Leskovac:Jablanica,Užice:Zlatibor,Vranje:Pčinja,Šabac:Mačva,Valjevo:Kolubara,Sombor:Zapadna Bačka,Kruševac:Rasina,Požarevac:Braničevo",
        streets: "Kneza Miloša,Bulevar oslobođenja,Nemanjina,Cara Dušana,Vojvode Stepe,Takovska,Karađorđeva,Svetog Save,Njegoševa,Bulevar kralja Aleksandra",
        phone: "099-9999-999",
        cell: "069-9999-999",
        postcode: Int(11000, 38999),
        id_name: "SID",
    },
    NatData {
        code: "TR",
        country: "Turkey",
        male: "Yusuf,Eymen,Ömer,Mustafa,Emir,Ahmet,Mehmet,Ali,Hüseyin,İbrahim,Murat,Kerem,Burak,Emre,Çağrı,Barış",
        female: "Zeynep,Elif,Defne,Ecrin,Azra,Nehir,Ayşe,Fatma,Emine,Hatice,Özlem,Büşra,Gül,Şeyma,İrem,Gülsüm",
        last: "Yılmaz,Kaya,Demir,Şahin,Çelik,Yıldız,Yıldırım,Öztürk,Aydın,Özdemir,Arslan,Doğan,Kılıç,Aslan,Çetin,Kara,Koç,Kurt,Özkan,Şimşek",
        cities: "İstanbul:İstanbul,Ankara:Ankara,İzmir:İzmir,Bursa:Bursa,Antalya:Antalya,Adana:Adana,Konya:Konya,Gaziantep:Gaziantep,Şanlıurfa:Şanlıurfa,Kocaeli:Kocaeli,Mersin:Mersin,Diyarbakır:Diyarbakır,Kayseri:Kayseri,Eskişehir:Eskişehir,Samsun:Samsun,Trabzon:Trabzon,Elazığ:Elazığ,Amasya:Amasya,Şırnak:Şırnak,Denizli:Denizli",
        streets: "Maçka Cd,Doktorlar Cd,Abanoz Sk,Atatürk Cd,İstiklal Cd,Bağdat Cd,Kushimoto Sk,Fatih Sultan Mehmet Cd,Necatibey Cd,Anafartalar Cd",
        phone: "(999)-999-9999",
        cell: "(599)-999-9999",
        postcode: Int(10000, 99999),
        id_name: "",
    },
    NatData {
        code: "UA",
        country: "Ukraine",
        male: "Олександр,Андрій,Дмитро,Максим,Богдан,Тарас,Ярослав,Назар,Остап,Володимир,Сергій,Ігор,Юрій,Віталій,Євген,Роман",
        female: "Олена,Марія,Анна,Оксана,Наталія,Юлія,Ірина,Соломія,Христина,Ярослава,Дарина,Вікторія,Софія,Людмила,Галина,Тетяна",
        last: "Мельник,Шевченко,Коваленко,Бондаренко,Бойко,Ткаченко,Кравченко,Ковальчук,Коваль,Олійник,Шевчук,Поліщук,Лисенко,Бондар,Марченко,Мороз,Савченко,Руденко,Петренко,Клименко",
        cities: "Київ:Київська,Біла Церква:Київська,Харків:Харківська,Одеса:Одеська,Дніпро:Дніпропетровська,Кривий Ріг:Дніпропетровська,Львів:Львівська,Запоріжжя:Запорізька,Вінниця:Вінницька,Полтава:Полтавська,Чернігів:Чернігівська,Черкаси:Черкаська,Житомир:Житомирська,Суми:Сумська,Хмельницький:Хмельницька,Рівне:Рівненська,Івано-Франківськ:Івано-Франківська,Тернопіль:Тернопільська,Луцьк:Волинська,Ужгород:Закарпатська",
        streets: "Хрещатик,Шевченка,Франка,Грушевського,Лесі Українки,Садова,Соборна,Миру,Незалежності,Зелена",
        phone: "(099) 999-99-99",
        cell: "(099) 999-99-99",
        postcode: Int(10000, 99999),
        id_name: "",
    },
    NatData {
        code: "US",
        country: "United States",
        male: "James,John,Robert,Michael,William,David,Richard,Joseph,Thomas,Charles,Daniel,Matthew,Anthony,Mark,Steven,Brandon",
        female: "Mary,Patricia,Jennifer,Linda,Elizabeth,Barbara,Susan,Jessica,Sarah,Karen,Nancy,Lisa,Betty,Sandra,Ashley,Kimberly",
        last: "Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Hernandez,Lopez,Wilson,Anderson,Thomas,Taylor,Moore,Jackson,Martin,Lee",
        cities: "New York:New York,Buffalo:New York,Los Angeles:California,San Diego:California,San Jose:California,Fresno:California,Chicago:Illinois,Houston:Texas,Dallas:Texas,Austin:Texas,El Paso:Texas,Phoenix:Arizona,Philadelphia:Pennsylvania,Jacksonville:Florida,Coral Springs:Florida,Seattle:Washington,Denver:Colorado,Billings:Montana,Great Falls:Montana,Boston:Massachusetts,Portland:Oregon,Atlanta:Georgia",
        streets: "Central St,Wheeler Ridge Dr,White Oak Dr,Main St,Oak Lawn Ave,Pecan Acres Ln,Hickory Creek Dr,Mockingbird Ln,Pockrus Page Rd,Thornridge Cir",
        phone: "(999)-999-9999",
        cell: "(999)-999-9999",
        postcode: Int(10000, 99999),
        id_name: "SSN",
    },
];

/// `(offset, description)` as the API serves them; the API picks one at random, unrelated to the
/// country, and so do we.
pub(super) const TIMEZONES: [(&str, &str); 31] = [
    ("-12:00", "Eniwetok, Kwajalein"),
    ("-11:00", "Midway Island, Samoa"),
    ("-10:00", "Hawaii"),
    ("-9:00", "Alaska"),
    ("-8:00", "Pacific Time (US & Canada)"),
    ("-7:00", "Mountain Time (US & Canada)"),
    ("-6:00", "Central Time (US & Canada), Mexico City"),
    ("-5:00", "Eastern Time (US & Canada), Bogota, Lima"),
    ("-4:00", "Atlantic Time (Canada), Caracas, La Paz"),
    ("-3:30", "Newfoundland"),
    ("-3:00", "Brazil, Buenos Aires, Georgetown"),
    ("-2:00", "Mid-Atlantic"),
    ("-1:00", "Azores, Cape Verde Islands"),
    ("0:00", "Western Europe Time, London, Lisbon, Casablanca"),
    ("+1:00", "Brussels, Copenhagen, Madrid, Paris"),
    ("+2:00", "Kaliningrad, South Africa"),
    ("+3:00", "Baghdad, Riyadh, Moscow, St. Petersburg"),
    ("+3:30", "Tehran"),
    ("+4:00", "Abu Dhabi, Muscat, Baku, Tbilisi"),
    ("+4:30", "Kabul"),
    ("+5:00", "Ekaterinburg, Islamabad, Karachi, Tashkent"),
    ("+5:30", "Bombay, Calcutta, Madras, New Delhi"),
    ("+5:45", "Kathmandu"),
    ("+6:00", "Almaty, Dhaka, Colombo"),
    ("+7:00", "Bangkok, Hanoi, Jakarta"),
    ("+8:00", "Beijing, Perth, Singapore, Hong Kong"),
    ("+9:00", "Tokyo, Seoul, Osaka, Sapporo, Yakutsk"),
    ("+9:30", "Adelaide, Darwin"),
    ("+10:00", "Eastern Australia, Guam, Vladivostok"),
    ("+11:00", "Magadan, Solomon Islands, New Caledonia"),
    ("+12:00", "Auckland, Wellington, Fiji, Kamchatka"),
];

/// Username parts: the API builds usernames like "happyostrich258".
pub(super) const ADJECTIVES: [&str; 16] = [
    "happy", "brown", "silver", "golden", "lazy", "heavy", "tiny", "big", "sad", "crazy", "orange", "purple", "red",
    "blue", "yellow", "organic",
];
pub(super) const ANIMALS: [&str; 16] = [
    "ostrich",
    "panda",
    "bear",
    "tiger",
    "lion",
    "rabbit",
    "wolf",
    "swan",
    "frog",
    "goose",
    "koala",
    "leopard",
    "peacock",
    "butterfly",
    "dog",
    "cat",
];
/// The API's passwords are common weak passwords; a handful is enough.
pub(super) const PASSWORDS: [&str; 24] = [
    "ncc1701a", "password", "123456", "qwerty", "letmein", "dragon", "monkey", "sunshine", "shadow", "master",
    "football", "baseball", "trustno1", "iloveyou", "welcome", "princess", "starwars", "whatever", "freedom", "hunter",
    "pepper", "soccer", "matrix", "cowboy",
];

/// One name with the ASCII spelling used in e-mail addresses.
pub(super) struct Name {
    pub(super) display: &'static str,
    pub(super) ascii: String,
}

/// A nationality's lists, split once so that per-user work is only indexing.
pub(super) struct NatTables {
    pub(super) data: &'static NatData,
    pub(super) male: Vec<Name>,
    pub(super) female: Vec<Name>,
    pub(super) last: Vec<Name>,
    pub(super) cities: Vec<(&'static str, &'static str)>,
    pub(super) streets: Vec<&'static str>,
    pub(super) postcodes: Vec<&'static str>,
}

impl NatTables {
    pub(super) fn new(data: &'static NatData) -> Self {
        let names = |list: &'static str| -> Vec<Name> {
            list.split(',')
                .map(|entry| match entry.split_once('|') {
                    Some((display, ascii)) => Name { display, ascii: ascii.to_string() },
                    None => Name { display: entry, ascii: ascii_lower(entry) },
                })
                .collect()
        };
        let cities = data.cities.split(',').map(|c| c.split_once(':').expect("city entries are City:State")).collect();
        let postcodes = match data.postcode {
            Postcode::Text(p) => p.split(',').collect(),
            Postcode::Int(..) => Vec::new(),
        };
        NatTables {
            data,
            male: names(data.male),
            female: names(data.female),
            last: names(data.last),
            cities,
            streets: data.streets.split(',').collect(),
            postcodes,
        }
    }
}

/// Lower-case ASCII for e-mail local parts: Latin diacritics and Ukrainian Cyrillic are
/// transliterated; anything else (spaces, apostrophes, other scripts) is dropped.
fn ascii_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let t: &str = match c {
            'a'..='z' | '0'..='9' => {
                out.push(c);
                continue;
            }
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'đ' | 'ď' => "d",
            'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ē' => "e",
            'ğ' => "g",
            'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ő' => "o",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ț' => "t",
            'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ž' | 'ź' | 'ż' => "z",
            'þ' => "th",
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "h",
            'ґ' => "g",
            'д' => "d",
            'е' => "e",
            'є' => "ye",
            'ж' => "zh",
            'з' => "z",
            'и' => "y",
            'і' => "i",
            'ї' => "yi",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        };
        out.push_str(t);
    }
    out
}
