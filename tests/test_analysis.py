from index.analysis import fold, terms


def test_spanish_accents_and_plurals_meet():
    stems = {terms(word, "es")[0] for word in ("migración", "migracion", "migraciones", "MIGRACIÓN")}
    assert len(stems) == 1


def test_spanish_gender_and_number_meet():
    assert len({terms(w, "es")[0] for w in ("niños", "niñas", "ninos")}) == 1
    assert terms("migrantes", "es") == terms("migrante", "es")


def test_english_plurals_meet():
    assert terms("migrants", "en") == terms("migrant", "en")
    assert terms("trafficking", "en") == terms("traffickers", "en")


def test_stop_words_dropped_and_numbers_kept():
    assert terms("the migrants of the region", "en") == terms("migrants region", "en")
    assert terms("las personas de la región", "es") == terms("personas región", "es")
    assert "2019" in terms("In 2019, 34% more", "en")
    assert "3.5" in terms("3.5 million", "en")
    assert "9" in terms("9 people", "en")


def test_fold_strips_accents_and_case():
    assert fold("Panamá NIÑOS Haití") == "panama ninos haiti"
