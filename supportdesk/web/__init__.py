"""What the console and the portal share: forms, paging, downloads and how a
policy's support terms are shown. Above the apps it renders, below the two sites."""
