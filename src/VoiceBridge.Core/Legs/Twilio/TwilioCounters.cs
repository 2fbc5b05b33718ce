namespace VoiceBridge.Legs.Twilio;

/// <summary>
/// Rejection counters for the Twilio leg. Register one as a singleton: the endpoints count
/// signature rejections into it, media handlers count parse outcomes with <see cref="Count"/>.
/// </summary>
public sealed class TwilioCounters
{
    private long _signatureRejected;
    private long _malformedMessages;
    private long _unknownEvents;

    public long SignatureRejected => Interlocked.Read(ref _signatureRejected);

    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    public long UnknownEvents => Interlocked.Read(ref _unknownEvents);

    public void CountSignatureRejected() => Interlocked.Increment(ref _signatureRejected);

    /// <summary>Counts a parse outcome: <see cref="TwilioParseStatus.Ok"/> is not counted.</summary>
    public void Count(TwilioParseStatus status)
    {
        if (status == TwilioParseStatus.Invalid)
        {
            Interlocked.Increment(ref _malformedMessages);
        }
        else if (status == TwilioParseStatus.UnknownEvent)
        {
            Interlocked.Increment(ref _unknownEvents);
        }
    }
}
