namespace VoiceBridge.Legs.WebRtc;

/// <summary>A DTLS-SRTP handshake that did not produce keys; the message says why in words fit for a call log.</summary>
public sealed class DtlsHandshakeException : Exception
{
    public DtlsHandshakeException()
    {
    }

    public DtlsHandshakeException(string message)
        : base(message)
    {
    }

    public DtlsHandshakeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
