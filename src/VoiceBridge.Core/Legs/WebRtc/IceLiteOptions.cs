namespace VoiceBridge.Legs.WebRtc;

/// <summary>Settings of the <see cref="IceLiteAgent"/>.</summary>
public sealed class IceLiteOptions
{
    /// <summary>
    /// How long the selected pair may go without a valid check from the browser before consent is
    /// lost (RFC 7675 section 5.1: 30 s). Browsers check every few seconds, so this outlasts a few
    /// lost checks but not a closed tab. Default 30 s.
    /// </summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (ConsentTimeout <= TimeSpan.Zero || ConsentTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"{nameof(ConsentTimeout)} must lie within (0, 10 min], not {ConsentTimeout}", nameof(ConsentTimeout));
        }
    }
}
