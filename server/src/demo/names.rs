//! Names to build contact addresses from, in the list's languages.

/// First names: Dutch, Norwegian, German, French, English.
pub const FIRST: &[&str] = &[
    "jan", "sanne", "pieter", "fleur", "daan", "lotte", "bram", "eva", "joost", "anouk", "ruben", "femke", "thijs",
    "ola", "kari", "ingrid", "lars", "sigrid", "magnus", "ingeborg", "eirik", "solveig", "håkon", "marit", "jørgen",
    "lukas", "anna", "jonas", "lena", "felix", "katrin", "camille", "louis", "chloé", "hugo", "manon", "emma", "james",
    "olivia", "thomas", "grace", "oliver", "sophie",
];

/// Family names, with the particles Dutch names carry.
pub const LAST: &[&str] = &[
    "devries",
    "jansen",
    "bakker",
    "visser",
    "smit",
    "meijer",
    "vandijk",
    "dejong",
    "mulder",
    "vanleeuwen",
    "hansen",
    "johansen",
    "olsen",
    "larsen",
    "andersen",
    "nilsen",
    "berg",
    "haugen",
    "nordmann",
    "solberg",
    "müller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "dubois",
    "lefebvre",
    "moreau",
    "laurent",
    "girard",
    "smith",
    "jones",
    "taylor",
    "brown",
    "wilson",
];
