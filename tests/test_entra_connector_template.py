"""The LinkedIn connector template (issue 19): LinkedIn's attributes and externalId matching,
and the probes of Test Connection and on-demand on the mapping's matching attribute."""

from __future__ import annotations

from engine_support import ENTERPRISE, Scenario, build_scenario

from fake_entra.mappings import (
    ConnectorTemplate,
    default_user_mapping,
    linkedin_user_mapping,
    template_mappings,
)
from fake_entra.tenant import Tenant

# The LinkedIn Learning provisioning tutorial's user table (step 5.9), plus active.
LINKEDIN_TABLE = {
    "externalId",
    "userName",
    "name.givenName",
    "name.familyName",
    "displayName",
    'addresses[type eq "work"].locality',
    "title",
    'emails[type eq "work"].value',
    f"{ENTERPRISE}:manager",
    f"{ENTERPRISE}:department",
}


def _linkedin_scenario() -> Scenario:
    scenario = build_scenario()
    scenario.tenant.use_linkedin_connector_template()
    scenario.app = scenario.tenant.add_from_gallery("LinkedIn Elevate", "LinkedIn Elevate (2)")
    return scenario


def test_the_linkedin_template_matches_on_externalid_with_linkedins_attributes() -> None:
    mapping = linkedin_user_mapping()
    mapping.validate()
    assert [m.target_attribute for m in mapping.matching_mappings()] == ["externalId"]
    assert mapping.target_attributes == LINKEDIN_TABLE | {"active"}
    assert {m.target_attribute for m in mapping.attribute_mappings} == LINKEDIN_TABLE | {"active"}
    user, group = template_mappings(ConnectorTemplate.LINKEDIN)
    assert user.matching_mappings()[0].target_attribute == "externalId"
    assert group.matching_mappings()[0].target_attribute == "displayName"
    generic, _ = template_mappings(ConnectorTemplate.GENERIC_SCIM)
    assert generic == default_user_mapping()


def test_the_setting_gives_linkedins_gallery_apps_the_linkedin_template() -> None:
    linkedin = Tenant(seed=1, linkedin_connector_template=True)
    generic = Tenant(seed=1, linkedin_connector_template=False)
    for tenant in (linkedin, generic):
        tenant.sign_in()
    app = linkedin.add_from_gallery("LinkedIn Elevate")
    assert app.template.connector_template is ConnectorTemplate.LINKEDIN
    assert app.provisioning.user_mapping.matching_mappings()[0].target_attribute == "externalId"
    other = generic.add_from_gallery("LinkedIn Elevate")
    assert other.provisioning.user_mapping.matching_mappings()[0].target_attribute == "userName"


def test_test_connection_and_the_initial_cycle_query_externalid() -> None:
    scenario = _linkedin_scenario()
    britta = scenario.add_user("britta", "Britta", "Simon", mobile="+1 555 0100")
    scenario.assign(britta.object_id)
    scenario.configure()
    scenario.provisioning.test_connection()
    probe = scenario.recorder.of("GET", "Users")[-1]
    assert list(probe.params) == ["filter"] and probe.params["filter"].startswith("externalId eq ")
    scenario.start()
    query, post = scenario.recorder.of("GET", "Users")[-1], scenario.recorder.of("POST", "Users")
    assert query.params["filter"] == f'externalId eq "{britta.mail_nickname}"'
    body = post[-1].body
    assert "phoneNumbers" not in body and "preferredLanguage" not in body
    assert body["externalId"] == britta.mail_nickname and body["active"] is True


def test_provision_on_demand_probes_the_matching_attribute() -> None:
    scenario = _linkedin_scenario()
    britta = scenario.add_user("britta", "Britta", "Simon")
    scenario.assign(britta.object_id)
    scenario.configure()
    scenario.provisioning.save()
    job = scenario.new_job()
    mark = scenario.recorder.mark()
    job.provision_on_demand(britta.object_id)
    first = scenario.recorder.since(mark)[0]
    assert (first.method, first.resource) == ("GET", "Users")
    assert first.params["filter"].startswith("externalId eq ")


def test_linkedins_gallery_apps_start_with_the_linkedin_template_by_default() -> None:
    # Issue 19: the gallery app gets LinkedIn's attributes and matching; the generic template
    # stays for non-gallery apps (and provisim conformance), chosen explicitly.
    tenant = Tenant(seed=1)
    tenant.sign_in()
    app = tenant.add_from_gallery("LinkedIn Elevate")
    assert app.template.connector_template is ConnectorTemplate.LINKEDIN
    mapping = app.provisioning.user_mapping
    assert [m.target_attribute for m in mapping.matching_mappings()] == ["externalId"]
    assert 'phoneNumbers[type eq "work"].value' not in mapping.target_attributes


def test_test_connection_of_a_default_gallery_app_probes_externalid() -> None:
    scenario = build_scenario()
    scenario.configure()
    scenario.provisioning.test_connection()
    (probe,) = scenario.recorder.of("GET", "Users")
    assert probe.params["filter"].startswith("externalId eq ")
