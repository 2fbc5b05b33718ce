using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace VoiceBridge.Operations;

/// <summary>
/// Every request the bridge turns away for security or capacity, counted by kind: the
/// <c>voicebridge_rejected_requests_total</c> counter on <see cref="BridgeTelemetry.Meter"/> with a
/// <c>kind</c> tag (one of the constants here), and the same totals in process so tests and the
/// console can read them without a metrics pipeline. A burst of one kind is the signature of an
/// attack or a misconfigured peer, so each refusal path counts itself here and nowhere else.
/// </summary>
public static class Rejections
{
    /// <summary>The instrument's name; the Prometheus export prefixes the meter's: <c>voicebridge_rejected_requests_total</c>.</summary>
    public const string InstrumentName = "rejected_requests_total";

    /// <summary>The tag that says which check refused.</summary>
    public const string KindTag = "kind";

    /// <summary>A Twilio webhook or media upgrade without a valid <c>X-Twilio-Signature</c>.</summary>
    public const string TwilioSignature = "twilio-signature";

    /// <summary>A Twilio media stream whose start lacks the stream token our TwiML gave its call (a replayed upgrade signature).</summary>
    public const string TwilioStreamToken = "twilio-stream-token";

    /// <summary>A WHIP request without a valid bearer token (static or JWT).</summary>
    public const string WhipAuth = "whip-auth";

    /// <summary>An admin API request without a valid bearer token (static or JWT), or without the required scope.</summary>
    public const string AdminAuth = "admin-auth";

    /// <summary>A SIP request from a source outside the allow-list.</summary>
    public const string SipSource = "sip-source";

    /// <summary>A SIP request refused after failing digest authentication.</summary>
    public const string SipDigest = "sip-digest";

    /// <summary>A new call over the node's <c>--max-calls</c>.</summary>
    public const string LimitCalls = "limit-calls";

    /// <summary>A new call over <c>--max-calls-per-source</c> from one address.</summary>
    public const string LimitSourceCalls = "limit-source-calls";

    /// <summary>A WebSocket message over the connection's size limit (closed 1009).</summary>
    public const string LimitMessageSize = "limit-message-size";

    /// <summary>WebSocket messages faster than the connection's rate limit (closed 1008).</summary>
    public const string LimitMessageRate = "limit-message-rate";

    /// <summary>SIP requests faster than <c>--sip-rate</c> from one source (503).</summary>
    public const string LimitSipRate = "limit-sip-rate";

    private static readonly Counter<long> Counter = BridgeTelemetry.Meter.CreateCounter<long>(
        InstrumentName, "{request}", "Requests refused by a security check or a limit, by kind");

    private static readonly ConcurrentDictionary<string, long> Totals = new(StringComparer.Ordinal);

    /// <summary>Counts one refusal of <paramref name="kind"/>.</summary>
    public static void Count(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        if (BridgeTelemetry.Silenced)
        {
            return;
        }

        Counter.Add(1, new KeyValuePair<string, object?>(KindTag, kind));
        Totals.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    /// <summary>Refusals of <paramref name="kind"/> since the process started.</summary>
    public static long Total(string kind) => Totals.GetValueOrDefault(kind);
}
