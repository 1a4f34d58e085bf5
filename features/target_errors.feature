@errors
Feature: When LinkedIn's SCIM service fails
  A failed export is logged with an error code and a recommended action, kept in escrow and
  retried at later cycles; 429 with Retry-After pauses the job that long. Every response is
  validated against its SCIM schema, so a target that answers with the wrong shapes is
  caught even when provisioning carries on (entra §2 "Errors and retries", §3).

  Background:
    Given the directory has the users "Britta Simon" and "Carl Jones"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"

  @conformance
  Scenario: A server error is logged and the create is retried at the next cycle
    Given the SCIM endpoint answers the next "POST /Users" with HTTP 500
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a failure for "Britta Simon" with the error code "InternalServerError"
    And Synchronization Details show:
      | Failed | 1 |
    When 40 minutes pass
    Then the SCIM target has the user "Britta Simon"
    And the provisioning logs show a "Create" entry for "Britta Simon" with status "Success"

  @conformance
  Scenario: 429 Too Many Requests pauses the job for Retry-After, then it carries on
    Given the SCIM endpoint answers the next "POST /Users" with HTTP 429 and "Retry-After: 120"
    When the admin sets Provisioning Status to On and saves
    Then the SCIM target has no user "Britta Simon"
    When 2 minutes pass
    Then the SCIM target has the user "Britta Simon"

  @conformance
  Scenario: A Test Connection during the Retry-After pause is not one of the cycle's requests
    Given the admin assigns the user "Carl Jones" with the role "User"
    And the SCIM endpoint answers the next "POST /Users" with HTTP 429 and "Retry-After: 120"
    When the admin sets Provisioning Status to On and saves
    And the admin clicks Test Connection
    And 2 minutes pass
    Then the last cycle sent these SCIM requests:
      | method | resource | status |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 429    |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 201    |
      | GET    | /Users   | 200    |
      | POST   | /Users   | 201    |
    And the SCIM target has the users "Britta Simon" and "Carl Jones"

  Scenario: Retries of a failing export are scaled back: 40 minutes, then 80
    Given LinkedIn's SCIM service runs the fault profile "5xx-burst" with:
      | burst_count | 2 |
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a failure for "Britta Simon" with the error code "InternalServerError"
    When 40 minutes pass
    Then the SCIM target has no user "Britta Simon"
    When 40 minutes pass
    Then no SCIM request was sent
    When 40 minutes pass
    Then the SCIM target has the user "Britta Simon"

  Scenario: A 400 to a create is logged as tenants see it: a SCIM bad request, the web response, the next retry
    # 1Password/scim-examples#82: not WebExceptionProtocolError.
    Given the SCIM endpoint answers the next "POST /Users" with HTTP 400
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a failure for "Britta Simon" with the error code "SystemForCrossDomainIdentityManagementBadRequest"
    And the failure for "Britta Simon" reads "The SCIM endpoint is not fully compatible with the Azure Active Directory SCIM client."
    And the failure for "Britta Simon" reads "StatusCode: BadRequest"
    And the failure for "Britta Simon" reads "Web Response: {"
    And the failure for "Britta Simon" reads "This operation was retried 0 times. It will be retried again after this date: 2026-01-05T09:40:00.0000000Z UTC"
    And a step of the provisioning log entry for "Britta Simon" reads "Failed to create User"

  Scenario: A 400 to an update is logged as ServiceIncompatible
    # getsentry/sentry#84941: a PATCH answered 400.
    Given the admin sets Provisioning Status to On and saves
    And the SCIM endpoint answers the next "PATCH /Users/*" with HTTP 400
    When the job title of "Britta Simon" changes to "Chief Tester" in Microsoft Entra ID
    And 40 minutes pass
    Then the provisioning logs show a failure for "Britta Simon" with the error code "SystemForCrossDomainIdentityManagementServiceIncompatible"
    And the failure for "Britta Simon" reads "StatusCode: BadRequest"

  Scenario: The recommended action names the retry delay in force
    Given LinkedIn's SCIM service runs the fault profile "5xx-burst" with:
      | burst_count | 2 |
    When the admin sets Provisioning Status to On and saves
    Then the failure for "Britta Simon" recommends "This attempt is automatically retried in 40 minutes."
    When 40 minutes pass
    Then the failure for "Britta Simon" recommends "This attempt is automatically retried in 1 hour 20 minutes."
    And the failure for "Britta Simon" reads "This operation was retried 1 times."

  @conformance
  Scenario: Two accounts matching one user are logged as duplicates
    Given the SCIM endpoint answers "GET /Users" with HTTP 200 and:
      """
      {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "startIndex": 1,
        "itemsPerPage": 2,
        "Resources": [
          {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "1", "userName": "britta@example.com", "meta": {"resourceType": "User"}},
          {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "2", "userName": "britta@example.com", "meta": {"resourceType": "User"}}
        ]
      }
      """
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a failure for "Britta Simon" with the error code "DuplicateTargetEntries"

  @conformance
  Scenario: A create answered without an id breaks the SCIM schema and the engine
    Given the SCIM endpoint answers "POST /Users" with HTTP 201 and:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "britta.simon@contoso.com"}
      """
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a failure for "Britta Simon" with the error code "SystemForCrossDomainIdentityManagementServiceIncompatible"
    And schema validation flags the response at "(root)"

  @conformance
  Scenario: A user answered with active as a string is caught by schema validation
    Given the SCIM endpoint answers "POST /Users" with HTTP 201 and:
      """
      {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "c0ffee",
        "userName": "britta.simon@contoso.com",
        "active": "True",
        "meta": {"resourceType": "User", "created": "2026-01-05T09:00:00Z", "lastModified": "2026-01-05T09:00:00Z", "location": "https://api.linkedin.com/Users/c0ffee"}
      }
      """
    When the admin sets Provisioning Status to On and saves
    Then the provisioning logs show a "Create" entry for "Britta Simon" with status "Success"
    And schema validation flags the response at "/active"
