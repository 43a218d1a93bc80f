using System.Text.Json.Serialization;

namespace SkyServe.Contracts.Notices;

/// <summary>What the cloud will do to the machine (AWS names; GCP and Azure map onto them). On the wire: terminate, stop, hibernate.</summary>
[JsonConverter(typeof(WireEnumConverter<InterruptionAction>))]
public enum InterruptionAction
{
    [JsonStringEnumMemberName("terminate")]
    Terminate,

    [JsonStringEnumMemberName("stop")]
    Stop,

    [JsonStringEnumMemberName("hibernate")]
    Hibernate,
}
