"""harness.reports.features: the tags a feature file uses, and misspelled Gherkin keywords."""

from __future__ import annotations

from harness.reports.features import feature_tags, keyword_typos

TEXT = '''\
@qa @team-a
Feature: Typos
  Scenaro: this line is read as description by Gherkin
  Note: a description line that looks like nothing

  @smoke
  Scenario: steps
    Gvien the directory has the user "Britta Simon"
    Given a doc string follows
      """
      Scenaro: inside a doc string is text
      Whne inside a doc string is text
      """
    | Scenaro: | in a table |
    Then it works # Scenaro: in a comment

  Scenario Outline: fine <x>
    Examples:
      | x |
'''


def test_misspelled_keywords_are_named_with_their_line() -> None:
    assert keyword_typos(TEXT) == [(3, "Scenaro:", "Scenario:"), (8, "Gvien", "Given")]


def test_a_clean_feature_has_no_typos_and_its_tags_are_found() -> None:
    clean = TEXT.replace("Scenaro:", "Scenario:").replace("Gvien", "Given")
    assert keyword_typos(clean) == []
    assert feature_tags(TEXT) == {"qa", "team-a", "smoke"}
