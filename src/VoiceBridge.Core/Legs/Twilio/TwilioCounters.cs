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
    private long _outOfOrderMessages;

    public long SignatureRejected => Interlocked.Read(ref _signatureRejected);

    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    public long UnknownEvents => Interlocked.Read(ref _unknownEvents);

    /// <summary>Well-formed messages where the stream allows none (media before start, a second start); skipped.</summary>
    public long OutOfOrderMessages => Interlocked.Read(ref _outOfOrderMessages);

    public void CountSignatureRejected() => Interlocked.Increment(ref _signatureRejected);

    public void CountOutOfOrder() => Interlocked.Increment(ref _outOfOrderMessages);

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
