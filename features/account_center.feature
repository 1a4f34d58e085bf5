@tutorial @licensing
Feature: LinkedIn Account Center: the SCIM configuration and its access token
  Tutorial steps 1-6 (linkedin-scim.md §6): in Account Center, Admin > Admin Settings >
  Advanced Integrations > "+ Add new SCIM configuration", then "Generate token". The token
  appears under "Access token", once: save it before leaving the page. Microsoft Entra ID
  sends it as the Secret Token.

  Background:
    Given an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 2 seats

  Scenario: The access token is shown once, under "Access token"
    When the admin selects Generate token
    Then the token is shown under "Access token"
    And Account Center keeps only a hash of the token
    When the admin leaves the page and opens the SCIM configuration again
    Then no access token is shown

  @errors
  Scenario: Regenerating the token revokes the old one
    Given the admin selects Generate token
    And the admin signs in to the Microsoft Entra admin center as a Cloud Application Administrator
    And adds "LinkedIn Elevate" from the gallery
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    When the Account Center admin regenerates the token
    And the admin clicks Test Connection
    Then Test Connection fails with "Unauthorized"
    And an error notification says "You appear to have entered invalid credentials"
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then a success notification appears on the upper-right side of the portal

  @errors
  Scenario: Removing the SCIM configuration stops its token at once
    Given the admin selects Generate token
    And the admin signs in to the Microsoft Entra admin center as a Cloud Application Administrator
    And adds "LinkedIn Elevate" from the gallery
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    When the Account Center admin removes the SCIM configuration
    And the admin clicks Test Connection
    Then Test Connection fails with "Unauthorized"

  Scenario: Users provisioned over SCIM are labelled as coming from the identity provider
    Given the admin selects Generate token
    And the directory has the user "Britta Simon"
    And "LinkedIn Elevate" is set up for automatic provisioning to the SCIM target
    And the admin assigns the user "Britta Simon" with the role "User"
    When the admin sets Provisioning Status to On and saves
    Then Account Center labels "Britta Simon" as provisioned by "IdP"
