@tutorial
Feature: Configure LinkedIn Elevate for automatic user provisioning
  The Microsoft tutorial, step by step (linkedin-scim.md §6): the access token from
  LinkedIn Account Center, then the Provisioning tab of the LinkedIn Elevate enterprise
  application in the Microsoft Entra admin center, then the first synchronization.

  Scenario: An admin follows the tutorial from the access token to the first sync
    # Before the steps: test with one user, assigned with the User role.
    Given the directory has the user "Britta Simon"
    # Steps 1-6: LinkedIn Account Center > Admin Settings > Advanced Integrations.
    And an Account Center admin adds a SCIM configuration "Entra ID" with auto-assign licenses on for 10 seats
    When the admin selects Generate token
    Then the token is shown under "Access token"
    # Steps 7-10: the LinkedIn Elevate enterprise application.
    When the admin signs in to the Microsoft Entra admin center as a Cloud Application Administrator
    And adds "LinkedIn Elevate" from the gallery
    And assigns the user "Britta Simon" with the role "User"
    And opens the Provisioning tab of "LinkedIn Elevate"
    # Steps 11-12: Provisioning Mode, Admin Credentials, Test Connection.
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    Then a success notification appears on the upper-right side of the portal
    # Steps 13-14: Notification Email, Save.
    When the admin enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And clicks Save
    Then a success notification says "Your changes have been saved."
    # Step 15: the matching property finds existing accounts for updates: externalId, the
    # one user attribute LinkedIn's SCIM API filters on (LinkedIn connector template).
    And the matching property of "Provision Microsoft Entra ID Users" is "externalId"
    # Steps 16-17: Provisioning Status On, Save: the initial sync starts.
    When the admin sets Provisioning Status to On and saves
    Then the initial cycle provisions 1 user
    And the SCIM target has the user "Britta Simon"
    And Account Center shows "Britta Simon" as "Licensed"
    And the provisioning logs show a "Create" entry for "Britta Simon" with status "Success"
    And Synchronization Details show:
      | Status           | Active  |
      | Current cycle    | Initial |
      | Percent complete | 100     |
      | Users            | 1       |
      | Created          | 1       |
    # Later syncs run about every 40 minutes; with nothing changed they send nothing.
    And every recorded exchange conforms to its schema
    When 40 minutes pass
    Then an incremental cycle ran
    And no SCIM request was sent
