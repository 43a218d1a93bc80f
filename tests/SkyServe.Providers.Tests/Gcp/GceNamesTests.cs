using SkyServe.Providers.Gcp;

namespace SkyServe.Providers.Tests.Gcp;

public sealed class GceNamesTests
{
    [Fact]
    public void Name_based_uuids_follow_rfc_9562_version_5()
    {
        // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"),
            GceNames.NameBased(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
        Assert.Equal(GceNames.RequestId("a"), GceNames.RequestId("a"));
        Assert.NotEqual(GceNames.RequestId("a"), GceNames.RequestId("b"));
    }

    [Fact]
    public void Instance_names_are_valid_and_fixed_by_the_token()
    {
        Assert.Matches("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", GceNames.Instance("9b0a2c5e-4a4e-4a0a-8f3d-1f7f0e6f1c2b"));
        Assert.Equal(GceNames.Instance("t"), GceNames.Instance("t"));
        Assert.NotEqual(GceNames.Instance("t"), GceNames.Instance("u"));
    }

    [Theory]
    [InlineData("skyserve-service", "chat", "skyserve-service", "chat")]
    [InlineData("Team", "ML", "team--", "ml--")]
    [InlineData("1st", "a b", "t-1st--", "a-b--")]
    public void Labels_keep_valid_tags_and_encode_the_rest(string key, string value, string labelKey, string labelValue)
    {
        Assert.StartsWith(labelKey, GceLabels.Key(key), StringComparison.Ordinal);
        Assert.StartsWith(labelValue, GceLabels.Value(value), StringComparison.Ordinal);
        Assert.NotEqual(GceLabels.Value("ML"), GceLabels.Value("Ml"));
        Assert.True(GceLabels.Value(new string('é', 100)).Length <= 63);
    }
}
