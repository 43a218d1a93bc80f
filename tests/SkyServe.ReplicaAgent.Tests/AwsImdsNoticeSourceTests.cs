using SkyServe.Contracts.Notices;
using System.Net;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The IMDSv2 client in-process against the emulator, with one manual clock for both (token expiry).</summary>
public sealed class AwsImdsNoticeSourceTests : IAsyncLifetime
{
    private readonly ManualTimeProvider time = new();
    private ImdsEmulator imds = null!;
    private AwsImdsNoticeSource source = null!;

    public async Task InitializeAsync()
    {
        imds = await ImdsEmulator.StartAsync("m-1", time);
        source = new AwsImdsNoticeSource(imds.BaseUrl, time);
    }

    public async Task DisposeAsync()
    {
        source.Dispose();
        await imds.DisposeAsync();
    }

    [Fact]
    public async Task No_notice_is_null_and_a_notice_is_parsed()
    {
        Assert.Null(await source.CheckAsync(CancellationToken.None));

        imds.SetNotice("hibernate", "2017-09-18T08:22:00Z");
        var notice = await source.CheckAsync(CancellationToken.None);

        Assert.Equal(new ScheduledInterruption(InterruptionAction.Hibernate, new DateTimeOffset(2017, 9, 18, 8, 22, 0, TimeSpan.Zero)), notice);
        Assert.Equal("aws", source.Name);
    }

    [Fact]
    public async Task The_token_is_reused_and_renewed_shortly_before_it_expires()
    {
        for (var i = 0; i < 5; i++)
        {
            await source.CheckAsync(CancellationToken.None);
            time.Advance(TimeSpan.FromHours(1)); // 5 h in all: the 6 h token still has over 5 minutes left
        }
        Assert.Equal(1, imds.TokenRequests);

        time.Advance(TimeSpan.FromMinutes(56)); // 4 minutes before expiry
        await source.CheckAsync(CancellationToken.None);

        Assert.Equal(2, imds.TokenRequests);
        Assert.Equal(0, imds.UnauthorizedRequests);
        Assert.Equal(6, imds.InstanceActionRequests);
    }

    [Fact]
    public async Task A_refused_token_is_replaced_once()
    {
        await source.CheckAsync(CancellationToken.None);
        imds.RevokeTokens(); // e.g. the metadata service restarted

        Assert.Null(await source.CheckAsync(CancellationToken.None));

        Assert.Equal(1, imds.UnauthorizedRequests);
        Assert.Equal(2, imds.TokenRequests);
    }

    [Theory]
    [InlineData("""{"action": "reboot", "time": "2017-09-18T08:22:00Z"}""", "unknown action")]
    [InlineData("""{"action": "terminate"}""", "not AWS's format")]
    [InlineData("""{"action": "terminate", "time": "soon"}""", "not AWS's format")]
    [InlineData("<html>maintenance</html>", "not AWS's format")]
    public async Task A_notice_not_in_AWS_format_is_an_error(string body, string message)
    {
        imds.SetRawNotice(body);
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task A_server_error_is_an_error_that_names_the_status()
    {
        imds.FailWith(HttpStatusCode.ServiceUnavailable);
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains("503", error.Message);
        Assert.Contains("/machines/m-1/latest/api/token", error.Message);
    }

    [Fact]
    public void Paths_are_appended_to_the_base_url_with_or_without_a_trailing_slash()
    {
        Assert.Equal(new Uri("http://127.0.0.1:5000/machines/m-1/latest/api/token"),
            MetadataUrls.Append(new Uri("http://127.0.0.1:5000/machines/m-1/"), "latest/api/token"));
        Assert.Equal(new Uri("http://169.254.169.254/latest/meta-data/spot/instance-action"),
            MetadataUrls.Append(new Uri("http://169.254.169.254"), AwsImdsNoticeSource.InstanceActionPath));
    }
}
