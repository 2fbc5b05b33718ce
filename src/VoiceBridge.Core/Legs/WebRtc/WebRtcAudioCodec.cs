namespace VoiceBridge.Legs.WebRtc;

/// <summary>The audio codecs the browser leg speaks.</summary>
public enum WebRtcAudioCodec
{
    /// <summary>opus/48000/2 (RFC 7587): 48 kHz RTP clock, 960 timestamp units per 20 ms.</summary>
    Opus,

    /// <summary>PCMU/8000: G.711 mu-law, the bridge's own format, 160 bytes per 20 ms.</summary>
    Pcmu,
}

/// <summary>Which codec to answer with when the browser offers both.</summary>
public enum WebRtcCodecPreference
{
    /// <summary>
    /// Opus: the default. Browsers' Opus path is their best-tested one (jitter buffer, FEC, concealment
    /// all tuned for it) and it survives loss far better than G.711; the cost is a transcode on our side.
    /// </summary>
    Opus,

    /// <summary>PCMU: keeps the media path G.711 end to end, no transcoding and no codec delay.</summary>
    Pcmu,
}

/// <summary>One offered RTP payload type: its number, rtpmap and fmtp.</summary>
/// <param name="Fmtp">The <c>a=fmtp</c> parameters, or null.</param>
public sealed record WebRtcPayloadType(int PayloadType, string EncodingName, int ClockRate, int Channels, string? Fmtp)
{
    /// <summary>True for <c>opus/48000/2</c>, the only Opus signalling RFC 7587 allows.</summary>
    public bool IsOpus => Is("opus", 48000) && Channels == 2;

    /// <summary>True for <c>PCMU/8000</c> (by rtpmap, or the static payload type 0 without one).</summary>
    public bool IsPcmu => Is("PCMU", 8000) && Channels == 1;

    /// <summary>True for <c>telephone-event</c> (RFC 4733) at <paramref name="clockRate"/>.</summary>
    public bool IsTelephoneEvent(int clockRate) => Is("telephone-event", clockRate);

    private bool Is(string name, int clockRate) =>
        ClockRate == clockRate && string.Equals(EncodingName, name, StringComparison.OrdinalIgnoreCase);
}
