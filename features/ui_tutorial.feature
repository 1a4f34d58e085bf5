@ui
Feature: The tutorial in a browser
  The Microsoft tutorial (linkedin-scim.md §6), clicked through in headless Chromium:
  LinkedIn Account Center for the token, then the Microsoft Entra admin center, both served
  by `provisim serve`. Each step clicks what a person clicks and reads what a person reads;
  the Graph state confirms it. The "# Step N" comments number the tutorial's steps: the page
  after each is its screenshot in docs/tutorial/.

  Scenario: An admin completes the tutorial by clicking alone
    Given provisim is served and a browser is open
    # Step 1: Sign in to Account Center.
    When the admin signs in to Account Center in the browser
    # Step 2: Select Admin > Admin Settings.
    And opens "Admin" and selects "Admin Settings"
    # Step 3: Select Advanced Integrations in the left sidebar.
    And selects "Advanced Integrations" in the left sidebar
    # Step 4: + Add new SCIM configuration, and fill in each field.
    And clicks "+ Add new SCIM configuration" and fills in each field:
      | Name                 | Entra ID         |
      | Auto-assign licenses | on               |
      | Application instance | LinkedIn Elevate |
      | License type         | Elevate          |
    And clicks "Save" in Account Center
    Then the page says "SCIM configuration “Entra ID” added"
    # Step 5: Generate token.
    When the admin clicks "Generate token for Entra ID"
    Then the token appears under "Access token"
    # Step 6: Save the token before leaving the page.
    When the admin copies the token with "Copy"
    # Step 7: Sign in to the Microsoft Entra admin center as at least a Cloud Application Administrator.
    And signs in to the Microsoft Entra admin center in the browser as "Cloud Application Administrator"
    # Step 8: Browse to Identity > Applications > Enterprise applications.
    And selects "Enterprise applications" under "Applications"
    # Step 9: Add LinkedIn Elevate from the gallery.
    And clicks "+ New application", searches for "LinkedIn Elevate" and adds it
    Then Graph has a service principal "LinkedIn Elevate"
    When the admin assigns "Britta Simon" with the role "User" in "Users and groups"
    Then Graph has "Britta Simon" assigned with the role "User"
    # Step 10: Open the instance, then the Provisioning tab.
    When the admin selects "Edit provisioning" under "Provisioning"
    # Step 11: Set the Provisioning Mode to Automatic.
    And selects "Automatic" as "Provisioning Mode"
    Then Graph has a synchronization job with the status "NotConfigured"
    # Step 12: Under Admin Credentials, enter the Tenant URL and the Secret Token, and click Test Connection.
    When the admin enters Fake Elevate's SCIM base URL as "Tenant URL" and the token as "Secret Token"
    And clicks "Test Connection" in the portal
    Then a notification in the upper right says "The supplied credentials are authorized to enable provisioning"
    # Step 13: Enter a Notification Email and tick the checkbox below it.
    When the admin types "admin@contoso.com" into "Notification Email"
    And ticks "Send an email notification when a failure occurs"
    # Step 14: Save.
    And clicks "Save" in the portal
    Then a notification in the upper right says "Your changes have been saved."
    And Graph has the job with the status "NotRun"
    # Step 15: Review the attribute mappings; matching properties find accounts for updates.
    When the admin opens the mapping "Provision Microsoft Entra ID Users"
    Then the matching precedence lists "externalId" first
    # Step 16: Set the Provisioning Status to On in the Settings section.
    When the admin selects "Edit provisioning" under "Provisioning"
    And sets "Provisioning Status" to "On"
    # Step 17: Save.
    And clicks "Save" in the portal
    Then a notification in the upper right says "Your changes have been saved."
    And Graph has the job with the status "Active"
    # After the steps: the initial cycle in the progress bar, the logs and Account Center.
    When the admin selects "Provisioning" in the application's menu
    Then the progress bar shows 100% complete
    And the statistics to date show 1 user
    When the admin selects "Provisioning logs" under "Provisioning"
    Then the provisioning logs list "Britta Simon" with the action "Create" and the status "Success"
    When the admin opens the Account Center page "Users"
    Then the Account Center users list "britta.simon@contoso.com" as "Licensed"
    When the admin opens "Simulator controls" in the Entra admin center
    And a cycle runs after 40 virtual minutes with a change in the directory
    Then the live SCIM exchanges show a new "PATCH" request
    And the tutorial screenshots in docs/tutorial are up to date

  Scenario: Bad input shows the portal's message beside the field and changes nothing
    Given provisim is served and a browser is open
    And the admin has a token from Account Center and LinkedIn Elevate with Provisioning Mode Automatic in the browser
    When the admin enters "http://example.com/scim" as "Tenant URL" and leaves "Secret Token" empty
    And clicks "Test Connection" in the portal
    Then "Tenant URL" shows the message "must use https"
    When the admin enters Fake Elevate's SCIM base URL as "Tenant URL" and leaves "Secret Token" empty
    And clicks "Save" in the portal
    Then "Secret Token" shows the message "Enter the Secret Token"
    And Graph has the job with the status "NotConfigured"
    When the admin opens the mapping "Provision Microsoft Entra ID Users"
    And edits the expression of "displayName" to "Join(" and clicks "Test"
    Then "Expression" shows a message
    And Graph has the mapping of "displayName" from "[displayName]"

  Scenario: A regenerated token revokes the old one, and Test Connection says so
    Given provisim is served and a browser is open
    And the admin has a token from Account Center and LinkedIn Elevate with Provisioning Mode Automatic in the browser
    When the admin regenerates the token of "Entra ID" in Account Center
    Then the page says "The previous token of this configuration is revoked."
    When the admin goes back to the Provisioning page of "LinkedIn Elevate"
    And enters Fake Elevate's SCIM base URL as "Tenant URL" and the old token as "Secret Token"
    And clicks "Test Connection" in the portal
    Then an error notification in the upper right says "You appear to have entered invalid credentials"
    And Graph has the job with the status "NotConfigured"
    When the admin enters Fake Elevate's SCIM base URL as "Tenant URL" and the token as "Secret Token"
    And clicks "Test Connection" in the portal
    Then a notification in the upper right says "The supplied credentials are authorized to enable provisioning"
