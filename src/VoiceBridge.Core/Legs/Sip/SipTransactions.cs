using System.Net;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// A server transaction (RFC 3261 17.2): a request we answered, kept so that a retransmission of
/// it gets the last response again instead of being processed twice. An INVITE's non-2xx final
/// response is itself retransmitted (timer G) until the ACK comes (timer H gives up); a 2xx is
/// the dialog's to retransmit (13.3.1.4).
/// </summary>
internal sealed class SipServerTransaction(string key, SipMessage request, IPEndPoint source, long expiresAtMs)
{
    public string Key { get; } = key;

    public SipMessage Request { get; } = request;

    public IPEndPoint Source { get; } = source;

    public byte[]? LastResponse { get; set; }

    public int LastStatus { get; set; }

    /// <summary>When the transaction may be forgotten (timer J / H / I), once it has a final response.</summary>
    public long ExpiresAtMs { get; set; } = expiresAtMs;

    /// <summary>Non-2xx final response to an INVITE: next retransmission and interval (timer G), until ACK.</summary>
    public long NextRetransmitMs { get; set; } = long.MaxValue;

    public long IntervalMs { get; set; }

    public bool Acknowledged { get; set; }

    /// <summary>The call an INVITE created (CANCEL finds it here).</summary>
    public SipCall? Call { get; set; }
}

/// <summary>
/// A non-INVITE client transaction (RFC 3261 17.1.2): a BYE or REFER we sent, retransmitted over
/// UDP (timer E: T1 doubling up to T2) until a final response, abandoned after 64*T1 (timer F).
/// </summary>
internal sealed class SipClientTransaction(string branch, byte[] request, IPEndPoint destination, long nowMs, long t1Ms)
{
    private readonly TaskCompletionSource<SipMessage> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Branch { get; } = branch;

    public byte[] Request { get; } = request;

    public IPEndPoint Destination { get; } = destination;

    public long NextRetransmitMs { get; set; } = nowMs + t1Ms;

    public long IntervalMs { get; set; } = t1Ms;

    public long TimeoutAtMs { get; } = nowMs + (64 * t1Ms);

    /// <summary>A provisional response stops retransmission growth below T2 only; the final one completes the transaction.</summary>
    public bool GotProvisional { get; set; }

    /// <summary>The final response, or a <see cref="TimeoutException"/> after timer F.</summary>
    public Task<SipMessage> Final => _final.Task;

    public void Complete(SipMessage response) => _final.TrySetResult(response);

    public void TimeOut() => _final.TrySetException(new TimeoutException("no final response within 64*T1"));
}
