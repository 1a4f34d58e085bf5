Feature: Notification Email and Save
  Tutorial steps 13-14: enter a Notification Email for provisioning errors, tick the
  checkbox below it, and Save. Save validates the whole Provisioning page; the engine only
  ever uses what was saved. New Admin Credentials are saved only once they pass Test
  Connection (step 12), as vendors observe.

  Background:
    Given the admin signs in to the Microsoft Entra admin center as a Cloud Application Administrator
    And adds "LinkedIn Elevate" from the gallery
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection

  @tutorial
  Scenario: The Notification Email is saved with the Provisioning page
    When the admin enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And clicks Save
    Then a success notification says "Your changes have been saved."
    And the saved settings send failure emails to "admin@contoso.com"

  @tutorial
  Scenario: Several addresses can share the Notification Email
    When the admin enters the Notification Email "admin@contoso.com; it-team@contoso.com" and ticks "Send an email notification when a failure occurs"
    And clicks Save
    Then the saved settings send failure emails to "admin@contoso.com; it-team@contoso.com"

  @errors
  Scenario Outline: Save refuses a Notification Email that isn't an address: <email>
    When the admin enters the Notification Email "<email>" and ticks "Send an email notification when a failure occurs"
    And tries to save
    Then the save fails with "'<invalid>' is not a valid email address."

    Examples:
      | email                  | invalid              |
      | admin@contoso          | admin@contoso        |
      | admin@contoso.com; it@ | it@                  |
      | admin at contoso.com   | admin at contoso.com |

  @errors
  Scenario: The checkbox needs a Notification Email
    When the admin ticks "Send an email notification when a failure occurs" without a Notification Email
    And tries to save
    Then the save fails with "Enter a Notification Email to send an email notification when a failure occurs."

  @errors
  Scenario: Provisioning Status can be On only in Automatic mode
    When the admin sets Provisioning Mode to Manual
    And sets Provisioning Status to On
    And tries to save
    Then the save fails with "Provisioning Status can be On only when Provisioning Mode is Automatic."

  @errors @tutorial
  Scenario: Test Connection passes but Save fails when SAML single sign-on fills the credential storage
    Given SAML single sign-on is configured for "LinkedIn Elevate" with a signing certificate of 1000 bytes
    When the admin clicks Test Connection
    Then a success notification appears on the upper-right side of the portal
    When the admin enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And tries to save
    Then the save fails with "only 24 bytes of this application's credential storage remain"
    When the admin adds "LinkedIn Elevate" from the gallery as "LinkedIn Elevate (Provisioning)"
    And sets Provisioning Mode to Automatic
    And enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    And enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And clicks Save
    Then a success notification says "Your changes have been saved."

  @errors
  Scenario: Provisioning Mode can't go back to Manual once Automatic is saved
    When the admin enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And clicks Save
    And tries to set Provisioning Mode to Manual
    Then the portal refuses with "Provisioning Mode can't be changed back to Manual once provisioning is configured; set Provisioning Status to Off instead."

  @errors
  Scenario: Save needs a passing Test Connection of the credentials it saves
    When the admin enters the Tenant URL of the SCIM target and the Secret Token "not-the-secret-token-0000"
    And enters the Notification Email "admin@contoso.com" and ticks "Send an email notification when a failure occurs"
    And tries to save
    Then the save fails with "Click Test Connection before saving"
    When the admin clicks Test Connection
    And tries to save
    Then the save fails with "Error code: SystemForCrossDomainIdentityManagementCredentialValidationFailure"
    When the admin enters the Tenant URL "https://api.linkedin.com" and the Secret Token
    And clicks Test Connection
    And clicks Save
    Then a success notification says "Your changes have been saved."

  @errors
  Scenario: Where Save accepts untested credentials, it saves them
    Given Save accepts untested credentials, as Microsoft documents no such rule
    When the admin enters the Tenant URL of the SCIM target and the Secret Token "not-the-secret-token-0000"
    And clicks Save
    Then a success notification says "Your changes have been saved."
