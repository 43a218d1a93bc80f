using Microsoft.Playwright;
using SkyServe.Providers.Local;
using SkyServe.Testing;
using static Microsoft.Playwright.Assertions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// The dashboard in a real browser (Playwright driving Debian's chromium at /usr/bin/chromium; tests/run.sh installs it, no
/// browser is downloaded) against a running system on the local runtime: it finds the service and its replicas, and when the
/// scripted spot market takes a zone's capacity away, the preemption appears in the timeline and the replica table changes
/// without a reload. The screenshot it takes is the README's docs/dashboard.png.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 2
          ports: 8080
        resources:
          cloud: aws
          use_spot: true
          cpus: 8
        """;

    [Fact]
    public async Task The_dashboard_shows_the_service_its_replicas_and_a_preemption_live()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (tests/run.sh does)");
        var east = new ScriptedSpotCapacity(4);
        var west = new ScriptedSpotCapacity(4);
        await using var system = await LocalSystem.StartAsync(
            [("aws/us-east-1/us-east-1a", east), ("aws/us-west-2/us-west-2a", west)],
            provider: o => o with { NoticeLead = TimeSpan.FromSeconds(3), ProvisioningDelay = TimeSpan.FromMilliseconds(500) });
        await system.CreateAsync("chat", Spec);
        await system.WaitUntilAsync("chat", r => LocalSystem.Ready(r) == 2, TimeSpan.FromSeconds(90), "two READY replicas");

        await system.PostRequestsAsync("chat", 120); // as a load balancer reports: 120 requests in the 60 s window

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"], // root in a container has no user namespace sandbox
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1150 } });
        await page.GotoAsync(system.Url);

        // Reads need the token here (no anonymous reads): the page asks for it.
        await Expect(page.Locator("#token-form")).ToBeVisibleAsync();
        await page.Locator("#token").FillAsync(system.Token);
        await page.Locator("#token-form button").ClickAsync();
        var row = page.Locator("tr[data-service='chat']");
        await Expect(row.Locator("td.ready")).ToHaveTextAsync("2 / 2", new() { Timeout = 30_000 });
        await Expect(page.Locator("#fleet-cost")).ToContainTextAsync("$");
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("2.00"); // requests per second

        await row.Locator("a").ClickAsync();
        await Expect(page.Locator("#replicas tbody tr")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Expect(page.Locator("#replica-count")).ToHaveTextAsync("2 / 2");
        await Expect(page.Locator("#timeline li[data-to='READY'][data-replica]")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await page.EvaluateAsync("() => window.__sameDocument = true"); // gone if the page reloads

        // The market takes the capacity of the zone of the first replica away: a notice, then the preemption.
        var first = (await system.ReplicasAsync("chat")).First(r => r!["status"]!.GetValue<string>() == "READY")!;
        var zone = first["zone"]!.GetValue<string>();
        (zone == "us-east-1a" ? east : west).Capacity = 0;

        await Expect(page.Locator($"#timeline li[data-to='PREEMPTED'][data-replica='{first["replica_id"]}']")).ToHaveCountAsync(1,
            new() { Timeout = 60_000 });
        await Expect(page.Locator($"#timeline li.preemption[data-replica='{first["replica_id"]}']", new() { HasText = "interruption notice" }))
            .ToHaveCountAsync(1); // the notice came first, with its reason
        await Expect(page.Locator($"#replicas tbody tr[data-replica='{first["replica_id"]}'] td").Nth(2)).ToContainTextAsync("PREEMPTED",
            new() { Timeout = 30_000 });
        // The replacement's row joins the table (the preempted one stays, as finished replicas are shown too).
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#replicas tbody tr').length >= 3", null,
            new PageWaitForFunctionOptions { Timeout = 60_000 });
        await Expect(page.Locator("#replica-count")).ToHaveTextAsync("2 / 2", new() { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Root, "docs", "dashboard.png"), FullPage = true });
    }
}
