namespace VoiceBridge.Legs.Sip;

/// <summary>What the SIP endpoint has seen, for logs and metrics (updated under the endpoint's lock).</summary>
public sealed class SipCounters
{
    public long Received { get; internal set; }

    public long Sent { get; internal set; }

    /// <summary>Datagrams that were not SIP (answered 400 when possible, else dropped).</summary>
    public long Malformed { get; internal set; }

    /// <summary>Requests from sources outside the allow-list (403).</summary>
    public long Refused { get; internal set; }

    /// <summary>Requests received again and responses sent again.</summary>
    public long Retransmissions { get; internal set; }

    public long StrayResponses { get; internal set; }

    public long Calls { get; internal set; }
}
