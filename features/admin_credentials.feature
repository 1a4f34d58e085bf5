Feature: Admin Credentials and Test Connection
  Tutorial step 12: under Admin Credentials, enter the Tenant URL and the Secret Token and
  click Test Connection; success shows a notification on the upper-right side of the portal.
  Test Connection queries the SCIM endpoint for a user that doesn't exist, with a random
  GUID as the matching value, and expects 200 with an empty ListResponse (entra §1). The
  matching attribute of LinkedIn's connector template is externalId.

  Background:
    Given the admin signs in to the Microsoft Entra admin center as a Cloud Application Administrator
    And adds "LinkedIn Elevate" from the gallery
    And sets Provisioning Mode to Automatic

  @tutorial @conformance
  Scenario: Test Connection succeeds with the SCIM target's Tenant URL and Secret Token
    When the admin enters the Tenant URL and Secret Token of the SCIM target
    And clicks Test Connection
    Then a success notification appears on the upper-right side of the portal
    And a success notification says "The supplied credentials are authorized to enable provisioning."
    And Test Connection queried "/Users" on "externalId" for a random GUID

  @errors @conformance
  Scenario: A wrong Secret Token fails Test Connection
    When the admin enters the Tenant URL of the SCIM target and the Secret Token "not-the-secret-token-0000"
    And clicks Test Connection
    Then Test Connection fails with "Unauthorized"
    And an error notification says "You appear to have entered invalid credentials"

  @errors
  Scenario Outline: Test Connection names what is wrong with the Tenant URL: <problem>
    When the admin enters the Tenant URL "<tenant url>" and the Secret Token
    And clicks Test Connection
    Then Test Connection fails with "<failure>"
    And an error notification says "<message>"

    Examples:
      | problem                | tenant url                  | failure     | message                                                            |
      | a mistyped host        | https://api.linkedn.com     | Unreachable | Could not reach the SCIM endpoint at https://api.linkedn.com/Users |
      | a path that isn't SCIM | https://api.linkedin.com/v1 | NotFound    | it must answer 200 with an empty ListResponse                      |

  @errors
  Scenario Outline: Test Connection names how the endpoint misbehaves: <problem>
    Given <misbehaviour>
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then Test Connection fails with "<failure>"
    And an error notification says "<message>"

    Examples:
      | problem                 | misbehaviour                                                      | failure          | message                                                    |
      | a server error          | the SCIM endpoint answers "GET /Users" with HTTP 500              | UnexpectedStatus | answered HTTP 500 Internal Server Error                    |
      | 404 for an empty result | LinkedIn's SCIM service runs the fault profile "empty-search-404" | NotFound         | answered HTTP 404 to a query for a user that doesn't exist |
      | a revoked token         | LinkedIn's SCIM service runs the fault profile "revoked-token"    | Unauthorized     | refused the Secret Token (HTTP 401                         |
      | no answer               | the SCIM endpoint stops answering                                 | Timeout          | did not answer within 30 seconds                           |

  @errors
  Scenario: An endpoint that ignores the filter fails Test Connection
    Given the SCIM endpoint answers "GET /Users" with HTTP 200 and:
      """
      {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "startIndex": 1,
        "itemsPerPage": 1,
        "Resources": [
          {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "userName": "bjensen@example.com",
            "meta": {"resourceType": "User"}
          }
        ]
      }
      """
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then Test Connection fails with "FilterIgnored"
    And an error notification says "the endpoint must apply the filter and return an empty ListResponse"

  @errors
  Scenario: An answer that is not a ListResponse fails Test Connection and schema validation
    Given the SCIM endpoint answers "GET /Users" with HTTP 200 and:
      """
      {"Resources": []}
      """
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then Test Connection fails with "NotAListResponse"
    And schema validation flags the response at "(root)"

  @errors
  Scenario Outline: The portal won't test a form that isn't filled in right: <problem>
    When the admin enters <credentials>
    And tries to click Test Connection
    Then the portal refuses with "<message>"

    Examples:
      | problem         | credentials                                                      | message                                               |
      | no Secret Token | the Tenant URL "https://api.linkedin.com" without a Secret Token | Enter the Secret Token before testing the connection. |
      | plain http      | the Tenant URL "http://api.linkedin.com" and the Secret Token    | The Tenant URL must use https                         |
      | not a URL       | the Tenant URL "api.linkedin.com" and the Secret Token           | is not an absolute URL                                |

  @errors
  Scenario Outline: A failed Test Connection shows Entra's error code: <problem>
    Given <misbehaviour>
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then Test Connection shows the error code "<code>"
    And an error notification says "Failed to test connection to target application."

    Examples:
      | problem         | misbehaviour                                                   | code                                                              |
      | a revoked token | LinkedIn's SCIM service runs the fault profile "revoked-token" | SystemForCrossDomainIdentityManagementCredentialValidationFailure |
      | no answer       | the SCIM endpoint stops answering                              | CredentialValidationUnavailable                                   |

  @tutorial
  Scenario: With the LinkedIn connector template, Test Connection queries externalId
    When the admin adds "LinkedIn Elevate" from the gallery with the LinkedIn connector template as "LinkedIn Elevate (LinkedIn connector)"
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL and Secret Token of the SCIM target
    And clicks Test Connection
    Then a success notification appears on the upper-right side of the portal
    And Test Connection queried "/Users" on "externalId" for a random GUID
